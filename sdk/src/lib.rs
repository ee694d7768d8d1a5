//! The SDK for writing rapport platform plugins.
