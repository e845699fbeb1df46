//! The function-call path segment:
//! `getPstnOnlineMeetingDialoutReport(fromDateTime=…,toDateTime=…)`, plain or
//! namespace-qualified, after percent-decoding.

/// The plain name and the namespace-qualified name the official SDKs use.
pub const FUNCTION_NAME: &str = "getPstnOnlineMeetingDialoutReport";
pub const QUALIFIED_FUNCTION_NAME: &str =
    "microsoft.graph.callRecords.getPstnOnlineMeetingDialoutReport";

const FROM_PARAMETER: &str = "fromDateTime";
const TO_PARAMETER: &str = "toDateTime";

/// The raw parameter values of one call of the report function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCall<'a> {
    pub from: &'a str,
    pub to: &'a str,
}

/// Why a segment naming the report function was refused; each maps to a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionError {
    /// A parameter has no value: Graph reports where the expression was expected.
    ExpressionExpected { position: usize, parameters: String },
    /// Missing, unknown or repeated parameters, or no parentheses at all.
    NoMatchingSignature { name: String },
    /// Unbalanced parentheses or a parameter without `=`.
    Syntax { segment: String },
}

impl FunctionError {
    pub fn message(&self) -> String {
        match self {
            Self::ExpressionExpected {
                position,
                parameters,
            } => format!("Expression expected at position {position} in '{parameters}'."),
            Self::NoMatchingSignature { name } => format!(
                "No function signature for the function with name '{name}' matches the specified \
                 arguments. The function overloads considered are: \
                 {FUNCTION_NAME}(fromDateTime, toDateTime)."
            ),
            Self::Syntax { segment } => {
                format!("Bad Request - Error in query syntax: '{segment}'.")
            }
        }
    }
}

/// The name part of a segment (before any parenthesis).
pub fn segment_name(segment: &str) -> &str {
    segment.split_once('(').map_or(segment, |(name, _)| name)
}

/// True if the segment names the report function (in either form).
pub fn names_report_function(segment: &str) -> bool {
    matches!(
        segment_name(segment),
        FUNCTION_NAME | QUALIFIED_FUNCTION_NAME
    )
}

/// Parses a segment already known to name the report function.
pub fn parse_report_call(segment: &str) -> Result<ReportCall<'_>, FunctionError> {
    let name = segment_name(segment);
    let no_signature = || FunctionError::NoMatchingSignature {
        name: name.to_owned(),
    };
    let Some(parameters) = segment
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('('))
    else {
        return Err(no_signature());
    };
    let Some(parameters) = parameters.strip_suffix(')') else {
        return Err(FunctionError::Syntax {
            segment: segment.to_owned(),
        });
    };

    if parameters.is_empty() {
        return Err(no_signature());
    }
    let (mut from, mut to) = (None, None);
    let mut offset = 0;
    for part in parameters.split(',') {
        let Some((key, value)) = part.split_once('=') else {
            return Err(FunctionError::Syntax {
                segment: segment.to_owned(),
            });
        };
        if value.trim().is_empty() {
            let position = parameters[..offset + key.len() + 1].chars().count();
            return Err(FunctionError::ExpressionExpected {
                position,
                parameters: parameters.to_owned(),
            });
        }
        let slot = match key {
            FROM_PARAMETER => &mut from,
            TO_PARAMETER => &mut to,
            _ => return Err(no_signature()),
        };
        if slot.replace(value).is_some() {
            return Err(no_signature());
        }
        offset += part.len() + 1;
    }
    match (from, to) {
        (Some(from), Some(to)) => Ok(ReportCall { from, to }),
        _ => Err(no_signature()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_names_and_any_order() {
        let call =
            parse_report_call("getPstnOnlineMeetingDialoutReport(fromDateTime=a,toDateTime=b)")
                .unwrap();
        assert_eq!((call.from, call.to), ("a", "b"));
        let call = parse_report_call(
            "microsoft.graph.callRecords.getPstnOnlineMeetingDialoutReport(toDateTime=b,fromDateTime=a)",
        )
        .unwrap();
        assert_eq!((call.from, call.to), ("a", "b"));
        assert!(names_report_function(QUALIFIED_FUNCTION_NAME));
        assert!(!names_report_function(
            "getPstnCalls(fromDateTime=a,toDateTime=b)"
        ));
    }

    #[test]
    fn empty_values_report_graphs_position() {
        let err = parse_report_call("getPstnOnlineMeetingDialoutReport(fromDateTime=,toDateTime=)")
            .unwrap_err();
        assert_eq!(
            err.message(),
            "Expression expected at position 13 in 'fromDateTime=,toDateTime='."
        );
        let err = parse_report_call(
            "getPstnOnlineMeetingDialoutReport(fromDateTime=2022-11-01,toDateTime=)",
        )
        .unwrap_err();
        assert!(matches!(
            err,
            FunctionError::ExpressionExpected { position: 35, .. }
        ));
    }

    #[test]
    fn refuses_bad_signatures() {
        for bad in [
            "getPstnOnlineMeetingDialoutReport",
            "getPstnOnlineMeetingDialoutReport()",
            "getPstnOnlineMeetingDialoutReport(fromDateTime=a)",
            "getPstnOnlineMeetingDialoutReport(fromDateTime=a,fromDateTime=b)",
            "getPstnOnlineMeetingDialoutReport(from=a,to=b)",
            "getPstnOnlineMeetingDialoutReport(fromDateTime=a,toDateTime=b",
        ] {
            assert!(parse_report_call(bad).is_err(), "{bad}");
        }
    }
}
