package archcheck

// noPersonalData starts the reason of an exemption the test verifies: the
// function returns no type holding personal data.
const noPersonalData = "no personal data"

// exempt lists the exported functions that reach the database without a
// viewer, each with the reason it may.
var exempt = map[string]string{
	"audit.List":                           "reads the audit trail back, for tests (no page shows it): identifiers, addresses and times, never names",
	"audit.Record":                         noPersonalData + ": appends one event of identifiers to the trail; every domain writes it, the sign-in steps before anyone is known too",
	"auth.Attempts.Failures":               noPersonalData + ": reads an attempt counter, keyed by a hash or an identifier (tests)",
	"auth.Attempts.Reserve":                noPersonalData + ": attempt counters keyed by hashes and identifiers, counted before anyone is known (sign-in steps)",
	"auth.Attempts.Wait":                   noPersonalData + ": reads the wait of attempt counters, keyed by hashes and identifiers (tests)",
	"auth.Authenticator.Activate":          noPersonalData + ": an anonymous sign-in step: activation by login and code, under attempt limiting; opens the session of the person it proves",
	"auth.Authenticator.CheckActivation":   noPersonalData + ": an anonymous sign-in step: checks a login and an activation code under attempt limiting; tells only whether a recovery e-mail is asked",
	"auth.Authenticator.CheckReset":        "an anonymous step: the holder of a reset link (a secret token) learns the login it resets, shown on its form",
	"auth.Authenticator.RequestReset":      noPersonalData + ": an anonymous step: asks for a reset link by login, under attempt limiting; the answer is the same whether or not one is sent",
	"auth.Authenticator.ResetPassword":     noPersonalData + ": an anonymous step: sets a password with a reset link (a secret token)",
	"auth.Authenticator.SentMail":          noPersonalData + ": the outcome of the e-mails sent in the background, for tests",
	"auth.Authenticator.SignIn":            noPersonalData + ": an anonymous sign-in step: checks a login and password under attempt limiting and opens a session for the person they prove",
	"auth.NewAuthenticator":                noPersonalData + ": a constructor",
	"auth.NewPasskeys":                     noPersonalData + ": a constructor",
	"auth.SealStoredSecrets":               noPersonalData + ": seals the second factors an older version stored in clear, at start, before any request; returns a count",
	"auth.Sessions.Create":                 noPersonalData + ": the session store mints the secret token of a new session; the sign-in steps (and tests) open sessions, nothing else",
	"auth.Sessions.DeleteExpired":          noPersonalData + ": the sweeper deletes expired sessions and account-security leftovers; returns a count",
	"auth.Sessions.Lookup":                 "the session store keyed by a secret token: the kit finds the person of each request with it",
	"delivery.Unsubscriber.Unsubscribe":    "an anonymous step: the holder of an e-mail's unsubscribe link (an authenticated, expiring token naming the person) turns that category or digest off by e-mail, nothing else; the token is the credential (RFC 8058 wants no sign-in)",
	"directory.ClassByID":                  noPersonalData + ": a class as a structure (code, name, level, year), the same for every viewer; its people come with ViewClass",
	"directory.ClassesOfEstablishment":     noPersonalData + ": the classes of an establishment as structures; their rosters come with ViewClass",
	"directory.CurrentSchoolYear":          noPersonalData + ": an establishment's current school year (label and dates)",
	"directory.EstablishmentByID":          noPersonalData + ": an establishment (national code, name, kind, city)",
	"directory.EstablishmentByUAI":         noPersonalData + ": an establishment by its national code (command line, tests)",
	"directory.GroupByID":                  noPersonalData + ": a group as a structure with the classes it draws from; its roster comes with ViewGroup",
	"files.Sealer.Open":                    noPersonalData + ": opens a sealed secret with an instance key (the caller owns the row)",
	"files.Sealer.Seal":                    noPersonalData + ": seals a secret with an instance key (the caller owns the row)",
	"files.Store.Sealer":                   noPersonalData + ": a constructor",
	"timetable.LoadCalendar":               noPersonalData + ": the holidays of school years and the public holidays",
	"feeds.Service.Open":                   "the anonymous step of a calendar feed: its secret token is the credential, and the feed is then built as its owner",
	"files.DeleteRecords":                  noPersonalData + ": the storage keys of the records a domain's write lets go, in its transaction (the domain decided)",
	"files.InUse":                          noPersonalData + ": marks the data directory and the database as used by a running server",
	"files.Queue":                          noPersonalData + ": counts the blobs waiting for erasure, for the purge's report and monitoring",
	"notify.Backlog":                       noPersonalData + ": counts the notices waiting for delivery, for monitoring",
	"timetable.EventBacklog":               noPersonalData + ": counts the undelivered change events, for monitoring",
	"provisioning.RunCounts":               noPersonalData + ": counts imports by outcome and purges, for monitoring",
	"files.StorageKeys":                    noPersonalData + ": the storage keys (identifiers) a backup copies",
	"files.PauseErasure":                   noPersonalData + ": a backup pauses the erasure of blobs while it copies them (a lock)",
	"files.Rotate":                         noPersonalData + ": re-wraps the establishments' data keys under a new master key (command line)",
	"files.Store.CheckKeys":                noPersonalData + ": tells that every data key opens with the master key, at start",
	"files.Store.Discard":                  noPersonalData + ": erases the blob of a file whose record was rolled back",
	"files.Store.Erase":                    noPersonalData + ": erases the blobs of records deleted and committed (queued keys only)",
	"files.Store.EraseQueued":              noPersonalData + ": the background erasure of queued blobs",
	"provisioning.ForgetUnreadableUploads": noPersonalData + ": deletes at start, before any request, the pending uploads an older version stored in clear; returns a count",
}
