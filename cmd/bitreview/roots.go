package main

// The image is FROM scratch, with no CA bundle: embed Mozilla's roots as
// the fallback used only when the system has none.
import _ "golang.org/x/crypto/x509roots/fallback"
