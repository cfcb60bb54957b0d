package attendance

import "cartable/internal/files"

func init() {
	// Families' justification documents are stored files: the purge keeps
	// those a justification still refers to.
	files.RegisterReference("att_justifications", "file_id")
}
