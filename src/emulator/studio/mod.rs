//! Studio flows: a number's `studio_flow` (an exported flow definition) runs as the number's IVR.

pub mod liquid;
