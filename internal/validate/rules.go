package validate

// Rules lists every diagnostic code osop reports, with a one-line
// description: the SARIF rule table and the documentation of `osop rules`.
var Rules = map[string]string{
	// Loading (package parse).
	"syntax":             "the file is not valid YAML or JSON",
	"encoding":           "the file is not UTF-8",
	"empty-file":         "the file is empty",
	"file-too-large":     "the file is over the size limit",
	"multiple-documents": "the file holds more than one YAML document",
	"too-deep":           "nesting is deeper than the limit",
	"too-many-values":    "aliases expand the document beyond the limit",
	"alias-cycle":        "a YAML alias refers to a value that contains it",
	"duplicate-key":      "a map has the same key twice",
	"complex-key":        "a map key is not a plain value",
	"merge-key":          "a YAML merge key (<<) does not name a map",
	"not-a-map":          "the document is not a map of fields",
	"invalid-duration":   "a timeout or delay is not a duration",
	"alias":              "a field was read under another name (dialect alias)",
	"conflicting-fields": "two names for the same field disagree",

	// Structure.
	"schema": "the document does not have the shape the schema requires",

	// Meaning.
	"unsupported-version": "osop_version names a version osop does not read",
	"duplicate-node-id":   "two nodes share an id",
	"unknown-node":        "an edge or expression names a node that does not exist",
	"unknown-node-type":   "a node's type is not one osop knows",
	"unknown-edge-mode":   "an edge's mode is not one osop knows",
	"unknown-field":       "a field osop does not know (a typo, or an extension without x-)",
	"missing-expression":  "a conditional, loop or switch edge has no expression",
	"expression-syntax":   "a CEL expression does not parse",
	"expression-type":     "a CEL expression does not type-check, or is not a boolean where one is needed",
	"expression-scope":    "a CEL expression reads a value that is not available where it is evaluated",
	"expression-lint":     "a CEL expression type-checks but will not do what it seems to",
	"undeclared-name":     "a descriptive workflow's condition reads a name nothing declares; osop run asks for it or takes --input",
	"condition-rewrite":   "info: a condition in the editor's style (AND, OR, NOT, =, contains, in (…)) and the CEL it runs as",
	"undeclared-variable": "a template variable nothing declares; it must be passed with --var",
	"undeclared-input":    "a ${inputs.x} reference to an input the workflow does not declare",
	"unknown-output":      "a reference to an output its node does not declare",
	"not-upstream":        "a reference to a node, or its outputs, that does not run before the reference is used",
	"unproduced-input":    "a node input that no upstream node produces",
	"duplicate-edge":      "the same edge is written twice",
	"switch-cases":        "a switch edge has no case and no default",
	"join-count":          "a join_mode/join_count that cannot be satisfied",
	"cycle":               "a cycle that nothing guards (every edge sequential or parallel): it never ends",
	"loop":                "info: a cycle through a conditional, fallback, error or timeout edge, run as a bounded rework loop",
	"unreachable":         "a node that no path from an entry node reaches",
	"invalid-timeout":     "a timeout that is zero or negative",
	"invalid-retry":       "a negative number of retries, or a negative delay",
	"runtime-config":      "a node's runtime configuration that its executor rejects",
	"sop-ref":             "a SOP document refers to a workflow file that does not exist",
	"missing-secret":      "osop run: a ${secrets.X} the run has no value for (refused before anything runs)",
	"missing-input":       "osop run: an ${inputs.x} the run has no value for (refused before anything runs)",
	"log-record":          "an execution record entry that contradicts itself",
}

// ShownNotes are the info codes osop validate shows without -v: they say
// how osop will run the file.
var ShownNotes = map[string]bool{"loop": true, "condition-rewrite": true}
