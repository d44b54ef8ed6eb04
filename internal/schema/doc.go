// Package schema checks a document's structure against JSON Schemas
// embedded in the binary: the default profile (every dialect), the "core"
// and "full" profiles (the published schemas' verdicts), and the schemas of
// execution records and SOP documents. Errors come back as diagnostics
// positioned at the offending value.
//
// It is the only package that imports the JSON Schema library; it imports
// ast and diag besides.
package schema
