//! Recognising Graph paths: `/{version}/communications/callRecords/{function segment}`.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use super::graph_error::GraphError;
use crate::config::PlusInPath;
use crate::odata::function::{names_report_function, segment_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    Beta,
    V1,
}

/// A request path that names the report function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRoute {
    pub version: ApiVersion,
    /// The function segment, percent-decoded.
    pub function_segment: String,
}

impl ReportRoute {
    /// The function's name as requested (without parameters), for messages.
    pub fn function_name(&self) -> &str {
        segment_name(&self.function_segment)
    }
}

/// A path that is not the report: Graph answers 400 for both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    InvalidVersion(String),
    ResourceNotFound(String),
}

impl RouteError {
    pub fn into_graph_error(self) -> GraphError {
        match self {
            Self::InvalidVersion(version) => {
                GraphError::bad_request(format!("Invalid version: {version}"))
            }
            Self::ResourceNotFound(segment) => GraphError::resource_not_found(&segment),
        }
    }
}

fn decode(segment: &str) -> Cow<'_, str> {
    percent_decode_str(segment).decode_utf8_lossy()
}

/// Parses a raw (still percent-encoded) request path.
pub fn parse_report_route(raw_path: &str, plus: PlusInPath) -> Result<ReportRoute, RouteError> {
    let mut segments = raw_path.strip_prefix('/').unwrap_or(raw_path).split('/');
    let version = match segments.next().map(decode).as_deref() {
        Some("beta") => ApiVersion::Beta,
        Some("v1.0") => ApiVersion::V1,
        other => {
            return Err(RouteError::InvalidVersion(
                other.unwrap_or_default().to_owned(),
            ));
        }
    };
    for expected in ["communications", "callRecords"] {
        match segments.next().map(decode) {
            Some(segment) if segment == expected => {}
            Some(segment) => return Err(RouteError::ResourceNotFound(segment.into_owned())),
            None => return Err(RouteError::ResourceNotFound(expected.to_owned())),
        }
    }
    let Some(raw_function) = segments.next() else {
        return Err(RouteError::ResourceNotFound("callRecords".to_owned()));
    };
    let function_segment = match plus {
        PlusInPath::Literal => decode(raw_function).into_owned(),
        PlusInPath::Space => decode(&raw_function.replace('+', " ")).into_owned(),
    };
    if !names_report_function(&function_segment) {
        return Err(RouteError::ResourceNotFound(
            segment_name(&function_segment).to_owned(),
        ));
    }
    if let Some(extra) = segments.next() {
        return Err(RouteError::ResourceNotFound(decode(extra).into_owned()));
    }
    Ok(ReportRoute {
        version,
        function_segment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/beta/communications/callRecords/getPstnOnlineMeetingDialoutReport(fromDateTime=2024-01-01T00%3A00%3A00%2B01:00,toDateTime=2024-01-02T00:00:00+01:00)";

    #[test]
    fn decodes_values_and_reads_plus_as_configured() {
        let route = parse_report_route(PATH, PlusInPath::Literal).unwrap();
        assert_eq!(route.version, ApiVersion::Beta);
        assert!(route.function_segment.contains("2024-01-01T00:00:00+01:00"));
        assert!(route.function_segment.contains("2024-01-02T00:00:00+01:00"));
        let route = parse_report_route(PATH, PlusInPath::Space).unwrap();
        assert!(route.function_segment.contains("2024-01-01T00:00:00+01:00"));
        assert!(route.function_segment.contains("2024-01-02T00:00:00 01:00"));
    }

    #[test]
    fn other_paths_are_refused_like_graph() {
        assert_eq!(
            parse_report_route("/v2.0/x", PlusInPath::Literal),
            Err(RouteError::InvalidVersion("v2.0".into()))
        );
        assert_eq!(
            parse_report_route("/beta/communications/calls", PlusInPath::Literal),
            Err(RouteError::ResourceNotFound("calls".into()))
        );
        assert_eq!(
            parse_report_route(
                "/beta/communications/callRecords/getPstnCalls(fromDateTime=a,toDateTime=b)",
                PlusInPath::Literal
            ),
            Err(RouteError::ResourceNotFound("getPstnCalls".into()))
        );
        let v1 =
            parse_report_route(&PATH.replace("/beta/", "/v1.0/"), PlusInPath::Literal).unwrap();
        assert_eq!(v1.version, ApiVersion::V1);
        assert_eq!(v1.function_name(), "getPstnOnlineMeetingDialoutReport");
    }
}
