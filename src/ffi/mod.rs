pub mod handles;
pub mod types;
