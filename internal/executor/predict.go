package executor

// Predictor is implemented by executors that know, before an attempt
// runs, some of the outputs it will give: a docker build's image_tag is
// its first tag. A dry run (and the runbook rendered from it) hands them
// to later nodes, so those show the values a run will give them instead
// of placeholders. Predict has no side effects; it returns nil when it
// knows nothing.
type Predictor interface {
	Predict(req *Request) map[string]any
}
