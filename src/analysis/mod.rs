//! Facts derived from the syntax and the files around a Dockerfile.

pub mod dockerignore;
pub mod roles;
pub mod stages;
