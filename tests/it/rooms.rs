//! Integration tests of the module (the real binary over HTTP).
