// Package examples embeds the sample payloads of this directory (see its
// README.md), so that "taskschema examples" can check them from any
// directory. Each file is checked against the schema whose name is the
// longest prefix of the file's base name (task_info_failed.json: task_info);
// the files under invalid/ are meant to be rejected.
package examples

import "embed"

// Payloads holds the sample payloads: *.json, valid, and invalid/*.json,
// invalid on purpose.
//
//go:embed *.json invalid/*.json
var Payloads embed.FS
