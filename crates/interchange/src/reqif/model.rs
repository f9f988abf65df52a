//! The ReqIF 1.2 model as Accord keeps it: every element the standard names, with the values
//! written as the source tool wrote them (numbers, dates and booleans stay text), XHTML and tool
//! extensions as the XML they were, and anything unknown kept verbatim where it was found.

use serde::{Deserialize, Serialize};

/// What every identifiable element carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub identifier: String,
    /// As written, time zone and fractions included; absent in some tools' files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// `ALTERNATIVE-ID/ALTERNATIVE-ID/@IDENTIFIER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative_id: Option<String>,
}

/// XML attributes beyond the ones modelled, by name, sorted (tools order them differently).
pub type Attrs = Vec<(String, String)>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub identifier: String,
    /// The header's elements (`COMMENT`, `CREATION-TIME`, `REPOSITORY-ID`, `REQ-IF-TOOL-ID`,
    /// `REQ-IF-VERSION`, `SOURCE-TOOL-ID`, `TITLE`) and their text, in document order.
    pub fields: Vec<(String, String)>,
}

impl Header {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumValue {
    pub id: Identity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_content: Option<String>,
}

/// A `DATATYPE-DEFINITION-*`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datatype {
    /// `STRING`, `INTEGER`, `REAL`, `BOOLEAN`, `DATE`, `XHTML` or `ENUMERATION`.
    pub kind: String,
    pub id: Identity,
    /// `MAX-LENGTH`, `MIN`, `MAX`, `ACCURACY` and any other XML attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<EnumValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// The content of an `ATTRIBUTE-VALUE-*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Content {
    /// `THE-VALUE` of STRING, INTEGER, REAL, BOOLEAN and DATE values, as written.
    Simple(Option<String>),
    /// The XHTML fragments of `THE-VALUE` and `THE-ORIGINAL-VALUE`, as XML.
    Xhtml {
        value: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        original: Option<String>,
    },
    /// The `ENUM-VALUE-REF`s, in order (several for a multi-valued attribute).
    Enumeration(Vec<String>),
}

/// An `ATTRIBUTE-VALUE-*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Value {
    pub kind: String,
    /// The `ATTRIBUTE-DEFINITION-*-REF` it gives a value for.
    pub definition: String,
    pub content: Content,
    /// XML attributes beyond `THE-VALUE`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
}

/// An `ATTRIBUTE-DEFINITION-*`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDefinition {
    pub kind: String,
    pub id: Identity,
    /// `IS-EDITABLE`, `MULTI-VALUED` and any other XML attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datatype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// A `SPEC-OBJECT-TYPE`, `SPECIFICATION-TYPE`, `SPEC-RELATION-TYPE` or `RELATION-GROUP-TYPE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecType {
    pub element: String,
    pub id: Identity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeDefinition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecObject {
    pub id: Identity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRelation {
    pub id: Identity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// A `SPEC-HIERARCHY` node: a place of a spec object in a specification's tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hierarchy {
    pub id: Identity,
    /// `IS-TABLE-INTERNAL`, `IS-EDITABLE` and any other XML attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Hierarchy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Specification {
    pub id: Identity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Hierarchy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationGroup {
    pub id: Identity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_specification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_specification: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// A whole ReqIF document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReqIf {
    /// The root element's attributes: namespace declarations, `xsi:schemaLocation`, `xml:lang`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub root_attrs: Attrs,
    /// The prefix the document writes ReqIF's elements with (`reqif` in `reqif:REQ-IF`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub header: Header,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datatypes: Vec<Datatype>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec_types: Vec<SpecType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec_objects: Vec<SpecObject>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec_relations: Vec<SpecRelation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub specifications: Vec<Specification>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relation_groups: Vec<RelationGroup>,
    /// Each `REQ-IF-TOOL-EXTENSION` as the XML it was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_extensions: Vec<String>,
    /// Elements the standard does not name, as the XML they were, in the container they were in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
}

/// Something the reader could not take as it was, and what it did instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub line: u64,
    pub column: u64,
    /// The element concerned (its tag and identifier when it has one).
    pub element: String,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}: {}",
            self.line, self.column, self.element, self.message
        )
    }
}
