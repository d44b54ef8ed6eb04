// Package secret holds secret values for a run and masks them: every
// string that leaves the engine (terminal output, events, the .osoplog,
// the store) passes through [Masker.Mask], which replaces each secret value,
// wherever it appears, with ***. Output that is streamed as it is written
// goes through a [Writer], which masks a secret even when it arrives split
// across writes. [Split] and [Join] let a value that holds a secret be
// stored as the text around it and the secret's name.
//
// It imports only the standard library.
package secret
