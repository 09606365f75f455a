//! One way to map a text column to a Rust enum: `text_enum!` declares the enum with its stored
//! spelling, serde and OpenAPI under the same spelling, and a conversion from the stored text
//! that fails loudly on an unknown value (rows read it through `#[diesel(deserialize_as = String)]`).

/// A stored value that names no variant: the database holds something this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown {kind} {value:?} in the database")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// `text_enum! { pub enum Status { Pending = "pending", Approved = "approved" } }`
#[macro_export]
macro_rules! text_enum {
    (
        $(#[doc = $doc:literal])*
        $vis:vis enum $name:ident {
            $( $(#[doc = $vdoc:literal])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        $vis enum $name {
            $( $(#[doc = $vdoc])* #[serde(rename = $text)] $variant ),+
        }

        // Written by hand rather than derived: utoipa does not see a `serde(rename)` whose
        // string comes from a macro, and would document the Rust names instead.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
                let description = concat!($($doc, "\n"),*).trim();
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .enum_values(Some([$($text),+]))
                    .description((!description.is_empty()).then_some(description))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and serialised) spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::db::text_enum::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::db::text_enum::UnknownValue {
                        kind: stringify!($name),
                        value: other.to_owned(),
                    }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::db::text_enum::UnknownValue;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}

/// An optional text enum read from a nullable column: absent, or a known value (an unknown one
/// fails the read). Rows declare it with `#[diesel(deserialize_as = Option<String>)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Maybe<T>(pub Option<T>);

impl<T: std::str::FromStr<Err = UnknownValue>> TryFrom<Option<String>> for Maybe<T> {
    type Error = UnknownValue;
    fn try_from(s: Option<String>) -> Result<Self, Self::Error> {
        s.map(|s| s.parse()).transpose().map(Maybe)
    }
}

#[cfg(test)]
mod tests {
    crate::text_enum! {
        /// A colour.
        enum Colour { Red = "red", Green = "green" }
    }

    #[test]
    fn round_trips_and_refuses_unknown_values() {
        for c in Colour::ALL {
            assert_eq!(c.as_str().parse::<Colour>().ok(), Some(*c));
        }
        let err = Colour::try_from("blue".to_owned()).unwrap_err();
        assert_eq!(err.to_string(), "unknown Colour \"blue\" in the database");
        assert_eq!(serde_json::to_string(&Colour::Green).unwrap(), "\"green\"");
    }

    #[test]
    fn the_schema_lists_the_stored_spellings() {
        let schema = serde_json::to_value(<Colour as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(["red", "green"]));
        assert_eq!(schema["description"], "A colour.");
    }
}
