package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/letters"
	"cartable/internal/roles"
)

// Someone else's account: what an administrator does on it (activation
// letters, ending sessions, removing second factors) and an
// establishment's second-factor policy. Every function takes the viewer,
// asks the policy itself (manage-account, manage-security) before it reads
// or changes anything, and returns its refusal: the plain one, or one the
// policy explains (access.ErrOwnAccount, ErrPrivilege, ErrElsewhere) when
// the person is known to the viewer anyway.

// Errors of activation letters.
var (
	// ErrNobody: no one to write to (no account, or no establishment of
	// the viewer's to write from).
	ErrNobody = errors.New("no one to write an activation letter to")
	// ErrNoneLeft: every account of the batch is out of the viewer's reach
	// or activated already.
	ErrNoneLeft = errors.New("every account of the batch is out of reach or activated")
)

// AccountOf is a person's account as an administrator who may manage it
// sees it.
func (a *Authenticator) AccountOf(ctx context.Context, v *access.Viewer, personID string) (ManagedAccount, error) {
	var d ManagedAccount
	p, err := a.managed(ctx, v, personID)
	if err != nil {
		return d, err
	}
	d.Holder = Holder{ID: p.ID, Name: p.DisplayName(), Login: p.Record.Login}
	if d.Enrolled, err = a.Factors.enrolledOf(ctx, a.DB, p.ID); err != nil {
		return d, err
	}
	if d.Must, err = mustUseSecondFactor(ctx, v, a.DB, p.ID, p.Profile); err != nil {
		return d, err
	}
	if d.Activated, err = activated(ctx, a.DB, p.ID); err != nil {
		return d, err
	}
	sessions, err := a.Sessions.list(ctx, p.ID)
	if err != nil {
		return d, err
	}
	for _, s := range sessions {
		d.Sessions = append(d.Sessions, ManagedSession{Device: deviceName(s.UserAgent), Address: s.SourceIP,
			Created: s.CreatedAt, LastSeen: s.LastSeen, Pending: !s.MFADone})
	}
	return d, nil
}

// managed is person id as v sees them, when v may manage their account:
// the view holds the record (the login), as managing an account comes
// with reading it, and the contact details only when v may read them.
func (a *Authenticator) managed(ctx context.Context, v *access.Viewer, id string) (directory.PersonView, error) {
	if err := v.Can(ctx, access.ManageAccount, access.Person(id)); err != nil {
		return directory.PersonView{}, err
	}
	p, err := directory.ViewPerson(ctx, v, a.DB, id)
	if err == nil && p.Record == nil {
		err = access.Refuse(access.ReadRecord, access.Person(id), "an account managed without its record")
	}
	return p, err
}

// EndSessionsOf ends every session of a person whose account the viewer
// may manage.
func (a *Authenticator) EndSessionsOf(ctx context.Context, v *access.Viewer, personID, sourceIP string) error {
	if err := v.Can(ctx, access.ManageAccount, access.Person(personID)); err != nil {
		return err
	}
	if err := a.Sessions.revokeAll(ctx, a.DB, personID); err != nil {
		return err
	}
	a.auditSessionsEnded(ctx, v, personID, sourceIP)
	return nil
}

// RemoveFactorsOf removes every second factor of a person whose account
// the viewer may manage (help for a lost phone: the person enrols again at
// the next sign-in), and ends their sessions: whoever holds the lost
// phone's sessions is out.
func (a *Authenticator) RemoveFactorsOf(ctx context.Context, v *access.Viewer, personID, sourceIP string) error {
	if err := v.Can(ctx, access.ManageAccount, access.Person(personID)); err != nil {
		return err
	}
	err := a.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := a.Factors.removeAll(ctx, tx, personID); err != nil {
			return err
		}
		return a.Sessions.revokeAll(ctx, tx, personID)
	})
	if err != nil {
		return err
	}
	a.auditRemoval(ctx, v, "person:"+personID, sourceIP)
	return nil
}

// LetterBatch is a batch of activation letters, ready to print: the codes
// exist nowhere else.
type LetterBatch struct {
	Letters  []letters.Letter
	Skipped  letters.Skipped
	Filename string
}

// PersonLetter issues an activation code for a person whose account the
// viewer may manage, from an establishment where both are, valid life
// (the default when out of bounds). A letter never replaces a password:
// for an activated account the refusal is audited and the error is
// ErrAlreadyActivated.
func (a *Authenticator) PersonLetter(ctx context.Context, v *access.Viewer, personID string, life time.Duration, sourceIP string) (LetterBatch, error) {
	p, err := a.managed(ctx, v, personID)
	if err != nil {
		return LetterBatch{}, err
	}
	done, err := activated(ctx, a.DB, personID)
	if err != nil {
		return LetterBatch{}, err
	}
	if done {
		_ = audit.Record(ctx, a.DB, audit.Event{ActorID: v.Actor(), Action: audit.ActivationIssued, Target: "person:" + personID,
			Outcome: audit.Denied, SourceIP: sourceIP, At: a.now()})
		return LetterBatch{}, ErrAlreadyActivated
	}
	mine, err := directory.Memberships(ctx, v, a.DB, personID)
	if err != nil {
		return LetterBatch{}, err
	}
	est := ""
	for _, e := range mine {
		if slices.Contains(v.Establishments, e) {
			est = e
			break
		}
	}
	return a.letters(ctx, v, est, []directory.PersonView{p}, letters.Skipped{}, "activation-"+p.Record.Login+".pdf", life, sourceIP)
}

// ClassLetters issues activation codes for the students of a class, their
// relatives, or both (who: "students", "relatives", anything else for
// both), active accounts only. The viewer must hold manage-account on the
// class; each letter is an act on one account, so only the accounts the
// viewer may manage (their whole reach, below the viewer's rank) and not
// activated yet get one: the others are counted on the first page.
// ErrNoneLeft when none is left.
func (a *Authenticator) ClassLetters(ctx context.Context, v *access.Viewer, classID, who string, life time.Duration, sourceIP string) (LetterBatch, error) {
	if err := v.Can(ctx, access.ManageAccount, access.Class(classID)); err != nil {
		return LetterBatch{}, err
	}
	c, err := directory.ViewClass(ctx, v, a.DB, classID)
	if err != nil {
		return LetterBatch{}, err
	}
	// Each person as v sees them: the students of the roster (active),
	// and the active relatives in each student's record.
	var people []directory.PersonView
	seen := map[string]bool{}
	for _, st := range c.Roster {
		sp, err := directory.ViewPerson(ctx, v, a.DB, st.ID)
		if err != nil {
			return LetterBatch{}, err
		}
		if who != "relatives" {
			people = append(people, sp)
		}
		if who == "students" || sp.Record == nil {
			continue
		}
		for _, k := range sp.Record.Relatives {
			if seen[k.ID] {
				continue
			}
			seen[k.ID] = true
			kp, err := directory.ViewPerson(ctx, v, a.DB, k.ID)
			if err != nil {
				return LetterBatch{}, err
			}
			people = append(people, kp)
		}
	}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	done, err := activatedOf(ctx, a.DB, ids)
	if err != nil {
		return LetterBatch{}, err
	}
	var skipped letters.Skipped
	kept := people[:0]
	for _, p := range people {
		switch {
		case !p.ManageAccount || p.Record == nil:
			skipped.OutOfReach++
		case done[p.ID]:
			skipped.Activated++
		default:
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 && (skipped.OutOfReach > 0 || skipped.Activated > 0) {
		return LetterBatch{}, ErrNoneLeft
	}
	return a.letters(ctx, v, c.Class.EstablishmentID, kept, skipped, "activation-"+c.Class.Code+".pdf", life, sourceIP)
}

// letters makes the codes and their letters, from the people as v sees
// them: a letter holds only what the view holds. The postal address is
// printed when the view holds the contact details (an operator's does not:
// the block stays empty and the letter is handed out in class), and a
// relative's letter names the children in their record, those v may
// read-name.
func (a *Authenticator) letters(ctx context.Context, v *access.Viewer, establishmentID string, people []directory.PersonView,
	skipped letters.Skipped, filename string, life time.Duration, sourceIP string) (LetterBatch, error) {
	if establishmentID == "" || len(people) == 0 {
		return LetterBatch{}, ErrNobody
	}
	est, err := directory.EstablishmentByID(ctx, a.DB, establishmentID)
	if err != nil {
		return LetterBatch{}, err
	}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	// A letter tells the activation's steps as the page will take them:
	// where a second factor is required, it is set up at once. Known
	// before the codes are made, so that a failure loses none.
	factor := make([]bool, len(people))
	for i, p := range people {
		if factor[i], err = mustUseSecondFactor(ctx, v, a.DB, p.ID, p.Profile); err != nil {
			return LetterBatch{}, err
		}
	}
	codes, err := a.issue(ctx, v, establishmentID, ids, sourceIP, life)
	if err != nil {
		return LetterBatch{}, err
	}
	b := LetterBatch{Skipped: skipped, Filename: filename, Letters: make([]letters.Letter, 0, len(codes))}
	for i, c := range codes {
		p := people[i]
		l := letters.Letter{Establishment: est.Name, City: est.City, Name: p.DisplayName(), Profile: p.Profile,
			Login: p.Record.Login, Code: c.Code, ExpiresAt: c.ExpiresAt, URL: a.BaseURL, Date: a.now(), SecondFactor: factor[i]}
		if k := p.Contact; k != nil {
			if k.Address != "" {
				l.Address = append(l.Address, k.Address)
			}
			if k.PostalCode != "" || k.City != "" {
				l.Address = append(l.Address, strings.TrimSpace(k.PostalCode+" "+k.City))
			}
		}
		if p.Profile == roles.Relative {
			for _, child := range p.Record.Children {
				l.Children = append(l.Children, child.DisplayName())
			}
		}
		b.Letters = append(b.Letters, l)
	}
	return b, nil
}

// SecurityOf is an establishment's second-factor policy, for a viewer who
// may set it.
func (a *Authenticator) SecurityOf(ctx context.Context, v *access.Viewer, establishmentID string) (SecuritySettings, error) {
	d := SecuritySettings{Profiles: roles.Profiles, Functions: roles.Functions}
	if err := v.Can(ctx, access.ManageSecurity, access.Establishment(establishmentID)); err != nil {
		return d, err
	}
	var err error
	if d.Establishment, err = directory.EstablishmentByID(ctx, a.DB, establishmentID); err != nil {
		return d, err
	}
	if d.Policy, err = policyOf(ctx, a.DB, establishmentID); err != nil {
		return d, err
	}
	d.Checked = map[string]bool{}
	for _, x := range append(slices.Clone(d.Policy.Profiles), d.Policy.Functions...) {
		d.Checked[x] = true
	}
	return d, nil
}

// SetSecurity sets an establishment's second-factor policy (SetMFAPolicy)
// and audits it.
func (a *Authenticator) SetSecurity(ctx context.Context, v *access.Viewer, establishmentID string, profiles, functions []string, sourceIP string) error {
	return a.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := SetMFAPolicy(ctx, tx, v, establishmentID, profiles, functions, a.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: v.Actor(), EstablishmentID: establishmentID, Action: audit.MFAPolicyChanged,
			Target: "establishment:" + establishmentID, Outcome: audit.Success, SourceIP: sourceIP, At: a.now()})
	})
}
