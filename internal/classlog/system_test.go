package classlog_test

import "cartable/internal/access"

// system writes the tests' fixtures as the demo generator does.
var system = access.System("test")
