//! The safety sweep (安全巡查): published texts scanned for personal
//! information that should not be public ([`detect`]), and the quarter's
//! report with the decision on each finding ([`report`]).

pub mod detect;
pub mod report;
