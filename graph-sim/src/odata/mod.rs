//! The parts of OData URL syntax the Graph endpoints understand.

pub mod function;
pub mod literal;
pub mod next_link;
pub mod query;
