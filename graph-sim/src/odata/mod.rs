//! The parts of OData URL syntax the report endpoint understands.

pub mod function;
pub mod literal;
pub mod query;
