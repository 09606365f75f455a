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
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
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

#[cfg(test)]
mod tests {
    crate::text_enum! {
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
}
