//! Onboarding a department from a staff roster (CSV: email,full_name,unit_path,roles).
//! Every row is checked before anything is written; one bad row and nothing is applied.

pub mod handlers;
pub mod service;

use std::collections::HashMap;

use validator::ValidateEmail;

use crate::accounts::types::Role;
pub use crate::error::RowError;
use crate::text::clean;

pub const COLUMNS: [&str; 4] = ["email", "full_name", "unit_path", "roles"];
/// Stop collecting problems after this many; the file needs fixing anyway.
const MAX_ERRORS: usize = 100;

#[derive(Debug, Clone)]
pub struct RosterRow {
    pub line: u64,
    pub email: String,
    pub full_name: String,
    /// Unit names from the top of the tree down; empty for no unit.
    pub unit_path: Vec<String>,
    pub roles: Vec<Role>,
}

pub(crate) fn err(line: u64, column: &str, reason: impl Into<String>) -> RowError {
    RowError {
        line,
        column: column.into(),
        reason: reason.into(),
    }
}

/// Parse and check a whole roster. Either every row is good, or the list of what is wrong.
pub fn parse(data: &[u8]) -> Result<Vec<RosterRow>, Vec<RowError>> {
    let data = data.strip_prefix("\u{feff}".as_bytes()).unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(data);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(e) => return Err(vec![err(1, "header", format!("unreadable: {e}"))]),
    };
    if header != COLUMNS {
        return Err(vec![err(
            1,
            "header",
            format!("the columns must be {}", COLUMNS.join(",")),
        )]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, "row", format!("unreadable: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.is_empty()) {
            continue;
        }
        if record.len() != COLUMNS.len() {
            errors.push(err(
                line,
                "row",
                format!("expected {} columns, found {}", COLUMNS.len(), record.len()),
            ));
            continue;
        }
        let before = errors.len();
        let email = record[0].to_owned();
        if !email.validate_email() {
            errors.push(err(line, "email", "not a valid email address"));
        } else if let Some(first) = seen.insert(email.to_lowercase(), line) {
            errors.push(err(
                line,
                "email",
                format!("the same email is already on line {first}"),
            ));
        }
        let full_name = clean(&record[1]);
        if full_name.is_empty() || full_name.chars().count() > 200 {
            errors.push(err(line, "full_name", "must be 1–200 characters"));
        }
        let unit_path: Vec<String> = if record[2].is_empty() {
            Vec::new()
        } else {
            record[2].split('/').map(clean).collect()
        };
        if unit_path
            .iter()
            .any(|u| u.is_empty() || u.chars().count() > 200)
        {
            errors.push(err(
                line,
                "unit_path",
                "every unit name between the slashes must be 1–200 characters",
            ));
        }
        let mut roles = Vec::new();
        for r in record[3]
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            match r.parse::<Role>() {
                Ok(role) => roles.push(role),
                Err(_) => errors.push(err(
                    line,
                    "roles",
                    format!("unknown role {r:?} (employee, moderator, secretariat, admin)"),
                )),
            }
        }
        if roles.is_empty() && errors.len() == before {
            errors.push(err(line, "roles", "at least one role is required"));
        }
        roles.sort();
        roles.dedup();
        if errors.len() == before {
            rows.push(RosterRow {
                line,
                email,
                full_name,
                unit_path,
                roles,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shared_sample_and_reports_bad_rows_by_line_and_column() {
        let csv = "\u{feff}email,full_name,unit_path,roles\n\
                   a@so.vn,Nguyễn Văn A,Sở Nội vụ/Văn phòng Sở,\"employee,moderator\"\n\
                   bad-email,B,Sở Nội vụ,employee\n\
                   c@so.vn,,Sở//Phòng,boss\n\
                   A@so.vn,Dup,Sở,employee\n";
        let errors = parse(csv.as_bytes()).unwrap_err();
        assert_eq!(errors[0], err(3, "email", "not a valid email address"));
        assert!(errors
            .iter()
            .any(|e| e.line == 4 && e.column == "full_name"));
        assert!(errors
            .iter()
            .any(|e| e.line == 4 && e.column == "unit_path"));
        assert!(errors.iter().any(|e| e.line == 4 && e.column == "roles"));
        assert!(errors
            .iter()
            .any(|e| e.line == 5 && e.reason.contains("line 2")));
        let ok = parse(
            b"email,full_name,unit_path,roles\na@so.vn,A,S\xe1\xbb\x9f/V,\"employee, admin\"\n",
        )
        .unwrap();
        assert_eq!(ok[0].unit_path, ["Sở", "V"]);
        assert_eq!(ok[0].roles, [Role::Employee, Role::Admin]);
    }
}
