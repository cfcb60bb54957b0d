package classlog

// The store's steps, for the tests of what they guarantee on their own
// (identity of homework lines, shared attachments under concurrency).
var (
	Attach      = attach
	Detach      = detach
	Orphans     = orphans
	FilesOf     = filesOf
	Submit      = submit
	SetDone     = setDone
	EntryByID   = entryByID
	ErrNotFound = errNotFound
)
