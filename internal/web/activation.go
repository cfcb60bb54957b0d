package web

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/directory"
	"cartable/internal/letters"
)

func (s *Server) activationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /activate", s.activateForm)
	mux.HandleFunc("POST /activate", s.activate)
	mux.HandleFunc("GET /password/forgot", s.forgotForm)
	mux.HandleFunc("POST /password/forgot", s.forgot)
	mux.HandleFunc("GET /password/reset/{token}", s.resetForm)
	mux.HandleFunc("POST /password/reset/{token}", s.reset)

	mux.HandleFunc("GET /admin/people/{id}/account", s.signedIn(s.adminAccount))
	mux.HandleFunc("POST /admin/people/{id}/activation", s.signedIn(s.adminActivatePerson))
	mux.HandleFunc("POST /admin/people/{id}/sessions/end", s.signedIn(s.adminEndSessions))
	mux.HandleFunc("POST /admin/people/{id}/second-factors/remove", s.signedIn(s.adminRemoveFactors))
	mux.HandleFunc("POST /admin/classes/{id}/activation", s.signedIn(s.adminActivateClass))
	mux.HandleFunc("GET /admin/establishments/{id}/security", s.signedIn(s.adminSecurityForm))
	mux.HandleFunc("POST /admin/establishments/{id}/security", s.signedIn(s.adminSecurity))
}

type activateData struct {
	Step     int // 1: login and code; 2: password (and e-mail)
	Login    string
	Code     string
	Relative bool
	Email    string
	Error    string
	Wait     int
	MinBits  int
}

func (s *Server) activateForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "activate", "activate.title", activateData{Step: 1})
}

func (s *Server) activate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "activate", "activate.title", activateData{Step: 1, Error: "signin.malformed"})
		return
	}
	d := activateData{Step: 1, Login: strings.TrimSpace(r.PostFormValue("login")), Code: strings.TrimSpace(r.PostFormValue("code")), MinBits: auth.MinPasswordBits}
	if len(d.Login) > auth.MaxLoginLen || len(d.Code) > auth.MaxCodeLen {
		d.Login, d.Code, d.Error = "", "", "activate.invalid"
		s.render(w, r, http.StatusUnprocessableEntity, "activate", "activate.title", d)
		return
	}
	if d.Login == "" || d.Code == "" {
		d.Error = "activate.missing"
		s.render(w, r, http.StatusUnprocessableEntity, "activate", "activate.title", d)
		return
	}
	fail := func(err error) bool {
		if wait, ok := waitSeconds(err); ok {
			d.Step, d.Error, d.Wait = 1, "signin.throttled", wait
			s.render(w, r, http.StatusTooManyRequests, "activate", "activate.title", d)
			return true
		}
		switch {
		case errors.Is(err, auth.ErrBadActivation):
			d.Step, d.Error = 1, "activate.invalid"
			s.render(w, r, http.StatusUnauthorized, "activate", "activate.title", d)
			return true
		case errors.Is(err, auth.ErrActivationExpired):
			d.Step, d.Error = 1, "activate.expired"
			s.render(w, r, http.StatusGone, "activate", "activate.title", d)
			return true
		case errors.Is(err, auth.ErrAlreadyActivated):
			d.Step, d.Error = 1, "activate.already"
			s.render(w, r, http.StatusConflict, "activate", "activate.title", d)
			return true
		case err != nil:
			s.serverError(w, r, err)
			return true
		}
		return false
	}
	if r.PostFormValue("step") != "2" {
		p, err := s.Auth.CheckActivation(r.Context(), d.Login, d.Code, clientIP(r))
		if fail(err) {
			return
		}
		d.Step, d.Relative = 2, p.Profile == directory.Relative
		s.render(w, r, http.StatusOK, "activate", "activate.title", d)
		return
	}
	d.Step = 2
	d.Relative = r.PostFormValue("relative") == "1"
	d.Email = strings.TrimSpace(r.PostFormValue("email"))
	pw, again := r.PostFormValue("password"), r.PostFormValue("confirm")
	if len(d.Email) > auth.MaxEmailLen {
		d.Email = ""
	}
	if pw == "" {
		d.Error = "password.missing"
	} else if pw != again {
		d.Error = "password.mismatch"
	}
	if d.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "activate", "activate.title", d)
		return
	}
	res, err := s.Auth.Activate(r.Context(), auth.ActivateRequest{Login: d.Login, Code: d.Code, Password: pw, RecoveryEmail: d.Email,
		UserAgent: r.UserAgent(), SourceIP: clientIP(r)})
	var pe *auth.PasswordError
	switch {
	case errors.As(err, &pe):
		d.Error = pe.Key
	case errors.Is(err, auth.ErrEmailRequired):
		d.Error, d.Relative = "email.required", true
	case errors.Is(err, auth.ErrEmailInvalid):
		d.Error = "email.invalid"
	}
	if d.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "activate", "activate.title", d)
		return
	}
	if fail(err) {
		return
	}
	s.startSession(w, r, res)
}

type forgotData struct {
	Login string
	Sent  bool
	Error string
	Wait  int
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", "forgot.title", forgotData{})
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "forgot", "forgot.title", forgotData{Error: "signin.malformed"})
		return
	}
	d := forgotData{Login: strings.TrimSpace(r.PostFormValue("login"))}
	if d.Login == "" || len(d.Login) > auth.MaxLoginLen {
		d.Login, d.Error = "", "forgot.missing"
		s.render(w, r, http.StatusUnprocessableEntity, "forgot", "forgot.title", d)
		return
	}
	err := s.Auth.RequestReset(r.Context(), d.Login, clientIP(r))
	if wait, ok := waitSeconds(err); ok {
		d.Error, d.Wait = "signin.throttled", wait
		s.render(w, r, http.StatusTooManyRequests, "forgot", "forgot.title", d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Sent = true
	s.render(w, r, http.StatusOK, "forgot", "forgot.title", d)
}

type resetData struct {
	Token   string
	Login   string
	Invalid string // catalog key when the link cannot be used
	Error   string
	MinBits int
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	p, err := s.Auth.CheckReset(r.Context(), token)
	d := resetData{Token: token, MinBits: auth.MinPasswordBits}
	if s.resetInvalid(w, r, err, &d) {
		return
	}
	d.Login = p.Login
	s.render(w, r, http.StatusOK, "reset", "reset.title", d)
}

func (s *Server) resetInvalid(w http.ResponseWriter, r *http.Request, err error, d *resetData) bool {
	switch {
	case errors.Is(err, auth.ErrResetExpired):
		d.Invalid, d.Token = "reset.expired", ""
		s.render(w, r, http.StatusGone, "reset", "reset.title", d)
		return true
	case errors.Is(err, auth.ErrResetInvalid):
		d.Invalid, d.Token = "reset.invalid", ""
		_ = audit.Record(r.Context(), s.DB, audit.Event{Action: audit.PasswordReset, Outcome: audit.Failure, SourceIP: clientIP(r)})
		s.render(w, r, http.StatusNotFound, "reset", "reset.title", d)
		return true
	case err != nil:
		s.serverError(w, r, err)
		return true
	}
	return false
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	token := r.PathValue("token")
	d := resetData{Token: token, MinBits: auth.MinPasswordBits}
	if err := r.ParseForm(); err != nil {
		d.Error = "signin.malformed"
		s.render(w, r, http.StatusBadRequest, "reset", "reset.title", d)
		return
	}
	p, err := s.Auth.CheckReset(r.Context(), token)
	if s.resetInvalid(w, r, err, &d) {
		return
	}
	d.Login = p.Login
	pw, again := r.PostFormValue("password"), r.PostFormValue("confirm")
	switch {
	case pw == "":
		d.Error = "password.missing"
	case pw != again:
		d.Error = "password.mismatch"
	}
	if d.Error == "" {
		err = s.Auth.ResetPassword(r.Context(), token, pw, clientIP(r))
		var pe *auth.PasswordError
		if errors.As(err, &pe) {
			d.Error = pe.Key
		} else if s.resetInvalid(w, r, err, &d) {
			return
		}
	}
	if d.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "reset", "reset.title", d)
		return
	}
	http.Redirect(w, r, "/sign-in?notice=reset", http.StatusSeeOther)
}

// Administrators' pages.

// refusalKeys are the refusals of account administration and of the
// account lifecycle that a page explains (access.ErrOwnAccount…).
var refusalKeys = []struct {
	err error
	key string
}{
	{access.ErrOwnAccount, "admin.refused.own"},
	{access.ErrPrivilege, "admin.refused.privilege"},
	{access.ErrElsewhere, "admin.refused.elsewhere"},
}

// refusalKey is the catalog key explaining err, "" for the plain refusal.
func refusalKey(err error) string {
	for _, k := range refusalKeys {
		if errors.Is(err, k.err) {
			return k.key
		}
	}
	return ""
}

// allowedAccount is allowed for the acts on a person's account: the
// refusals the policy explains (the person is known to the viewer) answer
// 403 with the reason; every other one looks like a missing page. Each
// refusal is audited.
func (s *Server) allowedAccount(w http.ResponseWriter, r *http.Request, a access.Action, res access.Resource) bool {
	err := s.Policy.Can(r.Context(), currentOf(r).viewer, a, res)
	switch {
	case err == nil:
		return true
	case !errors.Is(err, access.ErrDenied):
		s.serverError(w, r, err)
		return false
	}
	s.auditRefusal(r, res)
	if key := refusalKey(err); key != "" {
		s.renderError(w, r, http.StatusForbidden, key)
		return false
	}
	s.renderError(w, r, http.StatusNotFound, "error.notfound")
	return false
}

type adminAccountData struct {
	Person    directory.Person
	Enrolled  auth.Enrolled
	Must      bool
	Sessions  []sessionRow
	Activated bool // a password is set: no activation letter
	Done      string
}

func (s *Server) adminAccount(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowedAccount(w, r, access.ManageAccount, access.Person(id)) {
		return
	}
	ctx := r.Context()
	p, err := directory.PersonByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := adminAccountData{Person: p}
	switch r.URL.Query().Get("done") {
	case "sessions", "factors":
		d.Done = "admin.done." + r.URL.Query().Get("done")
	}
	if d.Enrolled, err = s.Auth.Factors.EnrolledOf(ctx, s.DB, id); err == nil {
		d.Must, err = auth.MustUseSecondFactor(ctx, s.DB, p)
	}
	if err == nil {
		var done map[string]bool
		done, err = auth.Activated(ctx, s.DB, []string{id})
		d.Activated = done[id]
	}
	if err == nil {
		var sessions []auth.Session
		if sessions, err = s.Sessions.List(ctx, id); err == nil {
			for _, se := range sessions {
				d.Sessions = append(d.Sessions, sessionRow{Device: deviceName(se.UserAgent), Address: se.SourceIP, Created: se.CreatedAt, LastSeen: se.LastSeen, Pending: !se.MFADone})
			}
		}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin-account", "admin.account.title", d)
}

func (s *Server) adminEndSessions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowedAccount(w, r, access.ManageAccount, access.Person(id)) {
		return
	}
	if err := s.Sessions.RevokeAll(r.Context(), id); err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(r.Context(), s.DB, audit.Event{ActorID: currentOf(r).me.ID, Action: audit.SessionEnded, Target: "person:" + id, Outcome: audit.Success, SourceIP: clientIP(r)})
	http.Redirect(w, r, "/admin/people/"+id+"/account?done=sessions", http.StatusSeeOther)
}

func (s *Server) adminRemoveFactors(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowedAccount(w, r, access.ManageAccount, access.Person(id)) {
		return
	}
	ctx := r.Context()
	if err := s.Auth.Factors.RemoveAll(ctx, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	// The sessions end too: whoever holds the lost phone's sessions is out.
	if err := s.Sessions.RevokeAll(ctx, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(ctx, s.DB, audit.Event{ActorID: currentOf(r).me.ID, Action: audit.MFARemoved, Target: "person:" + id, Outcome: audit.Success, SourceIP: clientIP(r)})
	http.Redirect(w, r, "/admin/people/"+id+"/account?done=factors", http.StatusSeeOther)
}

// activationLife reads the "valid for N days" field of the admin forms.
func activationLife(r *http.Request) time.Duration {
	n, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || n < 1 || n > int(auth.MaxActivationLife/(24*time.Hour)) {
		return auth.DefaultActivationLife
	}
	return time.Duration(n) * 24 * time.Hour
}

func (s *Server) adminActivatePerson(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowedAccount(w, r, access.ManageAccount, access.Person(id)) {
		return
	}
	ctx := r.Context()
	cur := currentOf(r)
	p, err := directory.PersonByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// A letter never replaces a password (auth.ErrAlreadyActivated).
	done, err := auth.Activated(ctx, s.DB, []string{id})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if done[id] {
		_ = audit.Record(ctx, s.DB, audit.Event{ActorID: cur.me.ID, Action: audit.ActivationIssued, Target: "person:" + id,
			Outcome: audit.Denied, SourceIP: clientIP(r)})
		s.renderError(w, r, http.StatusConflict, "admin.activation.activated")
		return
	}
	est := ""
	mine, err := directory.Memberships(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range mine {
		if slices.Contains(cur.viewer.Establishments, e) {
			est = e
			break
		}
	}
	s.issueLetters(w, r, est, []directory.Person{p}, letters.Skipped{}, "activation-"+p.Login+".pdf")
}

func (s *Server) adminActivateClass(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ManageAccount, access.Class(id)) {
		return
	}
	ctx := r.Context()
	c, err := directory.ClassByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	students, err := directory.StudentsOfClass(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var people []directory.Person
	seen := map[string]bool{}
	who := r.PostFormValue("who") // students, relatives or both
	for _, st := range students {
		if who != "relatives" && st.Active {
			people = append(people, st)
		}
		if who == "students" {
			continue
		}
		kin, err := directory.RelativesOf(ctx, s.DB, st.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, k := range kin {
			if !seen[k.ID] && k.Active {
				seen[k.ID] = true
				people = append(people, k.Person)
			}
		}
	}
	// Each letter is an act on one account: only those the viewer may
	// manage (their whole reach, below the viewer's rank) and not yet
	// activated get one; the others are counted on the first page.
	var skipped letters.Skipped
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	done, err := auth.Activated(ctx, s.DB, ids)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	kept := people[:0]
	for _, p := range people {
		ok, err := s.may(r, access.ManageAccount, access.Person(p.ID))
		switch {
		case err != nil:
			s.serverError(w, r, err)
			return
		case !ok:
			skipped.OutOfReach++
		case done[p.ID]:
			skipped.Activated++
		default:
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 && (skipped.OutOfReach > 0 || skipped.Activated > 0) {
		s.renderError(w, r, http.StatusUnprocessableEntity, "admin.activation.noneleft")
		return
	}
	s.issueLetters(w, r, c.EstablishmentID, kept, skipped, "activation-"+c.Code+".pdf")
}

// issueLetters makes the codes and answers with the PDF: the codes exist
// nowhere else. A letter holds only what the viewer may read: the postal
// address when they may read-contact the person (an operator may not: the
// block stays empty and the letter is handed out in class), the names of
// a relative's children they may read-name.
func (s *Server) issueLetters(w http.ResponseWriter, r *http.Request, establishmentID string, people []directory.Person, skipped letters.Skipped, filename string) {
	ctx := r.Context()
	cur := currentOf(r)
	if establishmentID == "" || len(people) == 0 {
		s.renderError(w, r, http.StatusUnprocessableEntity, "admin.nobody")
		return
	}
	est, err := directory.EstablishmentByID(ctx, s.DB, establishmentID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	contact, err := s.Policy.VisiblePeople(ctx, cur.viewer, access.ReadContact, ids)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	issued, err := s.Auth.IssueActivationCodes(ctx, establishmentID, people, cur.me.ID, clientIP(r), activationLife(r))
	if errors.Is(err, auth.ErrAlreadyActivated) { // activated meanwhile
		s.renderError(w, r, http.StatusConflict, "admin.activation.activated")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ls := make([]letters.Letter, 0, len(issued))
	for _, ic := range issued {
		p := ic.Person
		l := letters.Letter{Establishment: est.Name, City: est.City, Name: p.FirstName + " " + p.LastName, Profile: p.Profile,
			Login: p.Login, Code: ic.Code, ExpiresAt: ic.ExpiresAt, URL: s.BaseURL, Date: s.Now()}
		if contact[p.ID] {
			if p.Address != "" {
				l.Address = append(l.Address, p.Address)
			}
			if p.PostalCode != "" || p.City != "" {
				l.Address = append(l.Address, strings.TrimSpace(p.PostalCode+" "+p.City))
			}
		}
		if p.Profile == directory.Relative {
			kids, err := directory.ChildrenOf(ctx, s.DB, p.ID)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			kidIDs := make([]string, len(kids))
			for i, k := range kids {
				kidIDs[i] = k.ID
			}
			named, err := s.Policy.VisiblePeople(ctx, cur.viewer, access.ReadName, kidIDs)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, k := range kids {
				if named[k.ID] {
					l.Children = append(l.Children, k.FirstName+" "+k.LastName)
				}
			}
		}
		ls = append(ls, l)
	}
	var buf bytes.Buffer
	if err := letters.WriteBatch(&buf, ls, skipped); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, filename)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

type securityData struct {
	Establishment directory.Establishment
	Policy        auth.MFAPolicy
	Profiles      []string
	Functions     []string
	Checked       map[string]bool // profiles and functions that must
	Done          bool
	Error         string
}

func (s *Server) adminSecurityForm(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ManageSecurity, access.Establishment(id)) {
		return
	}
	d, err := s.securityData(r, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Done = r.URL.Query().Get("done") == "1"
	s.render(w, r, http.StatusOK, "admin-security", "admin.security.title", d)
}

func (s *Server) securityData(r *http.Request, id string) (securityData, error) {
	d := securityData{Profiles: directory.Profiles, Functions: directory.Functions}
	var err error
	if d.Establishment, err = directory.EstablishmentByID(r.Context(), s.DB, id); err != nil {
		return d, err
	}
	if d.Policy, err = auth.MFAPolicyOf(r.Context(), s.DB, id); err != nil {
		return d, err
	}
	d.Checked = map[string]bool{}
	for _, x := range append(slices.Clone(d.Policy.Profiles), d.Policy.Functions...) {
		d.Checked[x] = true
	}
	return d, nil
}

func (s *Server) adminSecurity(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ManageSecurity, access.Establishment(id)) {
		return
	}
	profiles, functions := r.PostForm["profile"], r.PostForm["function"]
	err := auth.SetMFAPolicy(r.Context(), s.DB, id, profiles, functions, currentOf(r).me.ID, s.Now())
	if errors.Is(err, auth.ErrBadPolicy) {
		d, derr := s.securityData(r, id)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		d.Error = "admin.security.bad"
		s.render(w, r, http.StatusUnprocessableEntity, "admin-security", "admin.security.title", d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_ = audit.Record(r.Context(), s.DB, audit.Event{ActorID: currentOf(r).me.ID, EstablishmentID: id, Action: audit.MFAPolicyChanged,
		Target: "establishment:" + id, Outcome: audit.Success, SourceIP: clientIP(r)})
	http.Redirect(w, r, "/admin/establishments/"+id+"/security?done=1", http.StatusSeeOther)
}

func itoa(n int) string { return strconv.Itoa(n) }
