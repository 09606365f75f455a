//! Reading PostgreSQL's binary COPY format (`COPY … TO STDOUT (FORMAT binary)`): its header,
//! then tuples of length-prefixed fields, then a trailer. PostgreSQL writes every field in
//! its wire form — an integer as its bytes, a timestamp as microseconds — so it does no text
//! conversion at all, and the caller decodes only what it uses, borrowing text from the
//! message it came in (no copy, no allocation per row).
//!
//! The format: <https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4>.

use std::io::{self, BufRead};

use chrono::NaiveDateTime;

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("binary COPY: {what}"))
}

/// One tuple's fields (`None`: SQL NULL), borrowed from the data it was read from.
pub struct Tuple<'a, const N: usize>(pub [Option<&'a [u8]>; N]);

impl<'a, const N: usize> Tuple<'a, N> {
    fn fixed<const W: usize>(&self, i: usize) -> io::Result<Option<[u8; W]>> {
        self.0[i]
            .map(|b| b.try_into().map_err(|_| bad("a field of the wrong width")))
            .transpose()
    }

    pub fn bytes(&self, i: usize) -> Option<&'a [u8]> {
        self.0[i]
    }

    pub fn int8(&self, i: usize) -> io::Result<Option<i64>> {
        Ok(self.fixed::<8>(i)?.map(i64::from_be_bytes))
    }

    pub fn int4(&self, i: usize) -> io::Result<Option<i32>> {
        Ok(self.fixed::<4>(i)?.map(i32::from_be_bytes))
    }

    pub fn bool(&self, i: usize) -> io::Result<Option<bool>> {
        Ok(self.fixed::<1>(i)?.map(|[b]| b != 0))
    }

    /// A `timestamp` (without time zone): microseconds since 2000-01-01 00:00:00.
    pub fn timestamp(&self, i: usize) -> io::Result<Option<NaiveDateTime>> {
        const PG_EPOCH_FROM_UNIX_SECS: i64 = 946_684_800;
        self.fixed::<8>(i)?
            .map(|b| {
                let micros = i64::from_be_bytes(b);
                let secs = micros.div_euclid(1_000_000) + PG_EPOCH_FROM_UNIX_SECS;
                let nanos = (micros.rem_euclid(1_000_000) * 1000) as u32;
                chrono::DateTime::from_timestamp(secs, nanos)
                    .map(|t| t.naive_utc())
                    .ok_or_else(|| bad("a timestamp out of range"))
            })
            .transpose()
    }
}

/// A field's value, which must not be NULL: `required(tuple.int8(0))`.
pub fn required<T>(value: io::Result<Option<T>>) -> io::Result<T> {
    value?.ok_or_else(|| bad("NULL where a value was expected"))
}

/// What `parse` found at the start of its input.
enum Parsed<'a, const N: usize> {
    /// A whole tuple and the bytes it took.
    Tuple(usize, Tuple<'a, N>),
    /// The trailer: the data is complete.
    End,
    /// Not enough bytes yet.
    Partial,
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if input.len() < n {
        return None;
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Some(head)
}

fn parse<const N: usize>(data: &[u8]) -> io::Result<Parsed<'_, N>> {
    let mut rest = data;
    let Some(count) = take(&mut rest, 2) else {
        return Ok(Parsed::Partial);
    };
    let count = i16::from_be_bytes([count[0], count[1]]);
    if count == -1 {
        return Ok(Parsed::End);
    }
    if count as usize != N {
        return Err(bad(&format!("{count} fields where {N} were expected")));
    }
    let mut fields = [None; N];
    for field in &mut fields {
        let Some(len) = take(&mut rest, 4) else {
            return Ok(Parsed::Partial);
        };
        let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        if len == -1 {
            continue;
        }
        let len = usize::try_from(len).map_err(|_| bad("a negative field length"))?;
        let Some(value) = take(&mut rest, len) else {
            return Ok(Parsed::Partial);
        };
        *field = Some(value);
    }
    Ok(Parsed::Tuple(data.len() - rest.len(), Tuple(fields)))
}

/// The header's length, once `data` holds all of it.
fn header(data: &[u8]) -> io::Result<Option<usize>> {
    if data.len() < SIGNATURE.len() + 8 {
        return Ok(None);
    }
    if &data[..SIGNATURE.len()] != SIGNATURE {
        return Err(bad("not a binary COPY"));
    }
    let ext = &data[SIGNATURE.len() + 4..SIGNATURE.len() + 8];
    let ext = u32::from_be_bytes([ext[0], ext[1], ext[2], ext[3]]) as usize;
    let len = SIGNATURE.len() + 8 + ext;
    Ok((data.len() >= len).then_some(len))
}

/// Feed every tuple of the binary COPY `input` (`N` fields each) to `each`, until the trailer
/// or until `each` answers false: `Ok(true)` when the trailer was read, `Ok(false)` when `each`
/// stopped early. Data that ends before the trailer is an error (a COPY PostgreSQL stopped).
/// A tuple is parsed where it lies in `input`'s buffer when whole there (PostgreSQL sends
/// one a message); one split across reads is put together first.
pub fn for_each<const N: usize>(
    input: &mut dyn BufRead,
    each: &mut dyn FnMut(&Tuple<'_, N>) -> io::Result<bool>,
) -> io::Result<bool> {
    let mut carry: Vec<u8> = Vec::new();
    let mut started = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Err(bad("the data ended before its trailer"));
        }
        if !carry.is_empty() || !started {
            // Slow path: gather bytes until the header or a tuple is whole.
            carry.extend_from_slice(chunk);
            let n = chunk.len();
            input.consume(n);
            let mut at = 0;
            if !started {
                match header(&carry)? {
                    Some(len) => {
                        started = true;
                        at = len;
                    }
                    None => continue,
                }
            }
            loop {
                match parse::<N>(&carry[at..])? {
                    Parsed::Tuple(len, tuple) => {
                        if !each(&tuple)? {
                            return Ok(false);
                        }
                        at += len;
                    }
                    Parsed::End => return Ok(true),
                    Parsed::Partial => break,
                }
            }
            carry.drain(..at);
            continue;
        }
        match parse::<N>(chunk)? {
            Parsed::Tuple(len, tuple) => {
                if !each(&tuple)? {
                    return Ok(false);
                }
                input.consume(len);
            }
            Parsed::End => return Ok(true),
            Parsed::Partial => {
                carry.extend_from_slice(chunk);
                let n = chunk.len();
                input.consume(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(out: &mut Vec<u8>, value: Option<&[u8]>) {
        match value {
            Some(v) => {
                out.extend((v.len() as i32).to_be_bytes());
                out.extend(v);
            }
            None => out.extend((-1i32).to_be_bytes()),
        }
    }

    /// A COPY of (int8, text, timestamp) rows as PostgreSQL writes it.
    fn copy_data(rows: &[(i64, Option<&str>, i64)]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend(0u32.to_be_bytes());
        out.extend(4u32.to_be_bytes());
        out.extend(b"ext!");
        for (id, text, micros) in rows {
            out.extend(3i16.to_be_bytes());
            field(&mut out, Some(&id.to_be_bytes()));
            field(&mut out, text.map(str::as_bytes));
            field(&mut out, Some(&micros.to_be_bytes()));
        }
        out.extend((-1i16).to_be_bytes());
        out
    }

    /// `data` served `step` bytes a read, as messages split anywhere would be.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.fill_buf()?.len().min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.consume(n);
            Ok(n)
        }
    }

    impl BufRead for Trickle<'_> {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            Ok(&self.data[..self.step.min(self.data.len())])
        }
        fn consume(&mut self, n: usize) {
            self.data = &self.data[n..];
        }
    }

    type Row = (i64, Option<String>, NaiveDateTime);

    fn read_all(data: &[u8], step: usize) -> io::Result<Vec<Row>> {
        let mut rows = Vec::new();
        let mut input = Trickle { data, step };
        let done = for_each::<3>(&mut input, &mut |t| {
            rows.push((
                required(t.int8(0))?,
                t.bytes(1).map(|b| String::from_utf8_lossy(b).into_owned()),
                required(t.timestamp(2))?,
            ));
            Ok(true)
        })?;
        assert!(done);
        Ok(rows)
    }

    #[test]
    fn tuples_are_read_whatever_the_reads_are_cut_into() {
        let data = copy_data(&[(1, Some("Điều 1"), 0), (-7, None, 1_500_000)]);
        let epoch = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        let expected = vec![
            (1, Some("Điều 1".to_string()), epoch),
            (-7, None, epoch + chrono::Duration::milliseconds(1500)),
        ];
        for step in [1, 2, 5, 13, data.len()] {
            assert_eq!(read_all(&data, step).unwrap(), expected, "step {step}");
        }
    }

    #[test]
    fn data_cut_before_the_trailer_is_an_error() {
        let data = copy_data(&[(1, Some("a"), 0)]);
        let cut = &data[..data.len() - 2];
        assert!(read_all(cut, 7).is_err());
    }

    #[test]
    fn a_tuple_of_another_width_is_an_error() {
        let data = copy_data(&[(1, Some("a"), 0)]);
        let mut input = Trickle {
            data: &data,
            step: data.len(),
        };
        assert!(for_each::<2>(&mut input, &mut |_| Ok(true)).is_err());
    }
}
