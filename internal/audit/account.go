package audit

// Actions of account security (second factors, attempt limiting,
// activation, password reset, sessions).
const (
	SignInThrottled    = "sign-in-throttled"    // an attempt refused while a wait or a lock runs
	AccountLocked      = "account-locked"       // too many failures: temporary lock, owner told by e-mail
	SecondFactor       = "second-factor"        // a TOTP, recovery code or passkey checked at sign-in
	MFAEnrolled        = "mfa-enrolled"         // a TOTP app or a passkey added
	MFARemoved         = "mfa-removed"          // a second factor removed (by the person or an administrator)
	RecoveryCodesMade  = "recovery-codes-made"  // ten new recovery codes
	RecoveryCodeUsed   = "recovery-code-used"   // one recovery code consumed
	PasswordChanged    = "password-changed"     // by the person, with the current password
	PasswordReset      = "password-reset"       // through an e-mailed link
	ResetRequested     = "password-reset-asked" // a reset link was asked
	ActivationIssued   = "activation-issued"    // an administrator made activation codes
	AccountActivated   = "account-activated"    // a first sign-in with an activation code
	SessionEnded       = "session-ended"        // a session ended by its owner or an administrator
	MFAPolicyChanged   = "mfa-policy-changed"   // an establishment's second-factor setting changed
	Reauthenticated    = "reauthenticated"      // password typed again before a sensitive change
	RecoveryEmailSaved = "recovery-email-saved" // the recovery e-mail changed
)
