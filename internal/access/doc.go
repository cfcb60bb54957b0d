// Package access is the one place that answers "may viewer V do action A on
// resource R?". Every read of personal data goes through Viewer.Can, May or
// Visible, asked by the domain that serves it (a page never asks: see
// docs/architecture.md). What the tables below do not grant is refused (deny
// by default), and a target that does not exist is refused exactly like a
// forbidden one, so that a refusal never tells whether something exists.
//
// It implements the need-to-know rule of the order of 30 November 2006 on
// ENTs: "each user may access only the information concerning them" — a
// parent sees their own children, a teacher their own classes, never more.
//
// # General principles
//
//   - Establishment wall. Apart from oneself, a person is visible only
//     through an establishment that both the viewer and the target are
//     attached to (memberships), and the relation that grants access must
//     belong to that establishment (the class taught, the staff function
//     held…). A class or a group is visible only to people attached to its
//     establishment. An administrator is no exception: an operator serving
//     several schools is attached to each of them.
//   - This school year only. Relations through classes and groups (classmate,
//     teacher of, head teacher of) count only in school years that are not
//     closed: last year's class gives no right this year.
//   - Deactivated people are visible only to the head, deputy and secretary
//     of their establishment and to the administrators attached to it (who
//     need them for corrections, exports and deletion). A deactivated person
//     never serves as a link either: a child who left no longer opens their
//     teachers to the parent, a student who left no longer opens their
//     family to the teacher.
//   - Staff functions (head, deputy, cpe, documentalist, secretary) count
//     only for people with the staff or teacher profile (as viewers and as
//     targets), and only in the establishment where they are held.
//   - When several rules apply to the same pair, access is granted if any of
//     them grants it.
//
// # What the actions on a person show
//
//	read-name     directory card: first and last name, profile, class code
//	read-record   school record: birth date, classes and groups,
//	              institutional e-mail, list of family links
//	read-contact  personal contact channels: e-mail, phone, postal address
//
// # Who may read what about whom (same establishment)
//
//	viewer          target                                         name  record  contact
//	--------------  ---------------------------------------------  ----  ------  -------
//	anyone          themself                                       yes   yes     yes
//	student         classmates (share a class or a group)          yes   -       -
//	student         own teachers (of own classes or groups, or     yes   -       -
//	                head teacher of own class)
//	student         staff holding a function                       yes   -       -
//	student         own relatives (family link)                    yes   -       -
//	relative        own child (family link)                        yes   yes     (1)
//	relative        the child's teachers                           yes   -       -
//	relative        staff holding a function in a child's school   yes   -       -
//	teacher         students of the classes and groups taught      yes   yes     -
//	                or headed (2)
//	teacher         those students' legal guardians and the        yes   -       yes
//	                relatives with the "contact" flag (3)
//	teacher, staff  teachers and staff (colleagues)                yes   -       -
//	head, deputy,   everyone attached, deactivated people too      yes   yes     yes
//	secretary
//	cpe             students and relatives                         yes   yes     yes
//	cpe             teachers and staff                             yes   -       -
//	documentalist   students, teachers and staff                   yes   -       -
//	admin           everyone attached, deactivated people too      yes   yes     - (4)
//
// Nothing else: a student sees no other student's record, a relative sees no
// other family, not even the other parent of their own child (5).
//
// # Classes, groups and the establishment
//
//	viewer                  read-class                read-roster               read-establishment
//	----------------------  ------------------------  ------------------------  ------------------
//	student                 own classes and groups    own classes and groups    -
//	relative                children's classes and    -                         -
//	                        groups
//	teacher                 every class; groups       classes and groups        -
//	                        taught                    taught or headed
//	head, deputy,           all classes and groups    all classes and groups    yes
//	secretary, cpe
//	documentalist           all classes (6)           all classes (6)           -
//	admin                   all classes and groups    all classes and groups    yes
//	staff, no function      -                         -                         -
//
// A roster lists names only; further details of each student are asked
// person by person.
//
// # Searching people
//
//	viewer                              search-people: establishment
//	----------------------------------  ----------------------------
//	teacher, staff (any function or     establishments attached
//	none), admin
//	student, relative                   -
//
// The search (by name, class or login) is a tool of the school's staff:
// it finds, in the establishments where the viewer may search, only the
// people they may read-name, and matches a login only for those whose
// record (which holds the login) they may read. Students and relatives
// have none (11): the few people they may see are on their own pages.
//
// # Timetable, class log, homework, files (learning.go)
//
//	question                          who may (same establishment)
//	--------------------------------  ------------------------------------------------
//	read-timetable of a student       the student; their relatives (active child);
//	                                  head, deputy, secretary, cpe
//	read-timetable of a teacher       the teacher; head, deputy, secretary, cpe
//	read-timetable of a class         its students and their relatives; its teachers
//	                                  (taught or headed); head, deputy, secretary,
//	                                  cpe, documentalist (6)
//	read-timetable of a group         its members and their relatives; its teachers;
//	                                  head, deputy, secretary, cpe
//	read-timetable of a room          teachers and staff of its establishment;
//	                                  its operators (admin: they edit its rooms)
//	read-timetable of an              head, deputy, secretary, cpe (the day's
//	establishment                     changes and absent teachers, home page)
//	edit-timetable, manage-settings   head, deputy; admin (imports)
//	change-lesson                     head, deputy, cpe; admin (cancel, move,
//	                                  replace one occurrence)
//	annotate-lesson                   as change-lesson, and the lesson's own
//	                                  teachers (test planned, note on one
//	                                  occurrence)
//	read-classlog of a class/group    its students, their relatives, its teachers;
//	                                  head, deputy
//	write-classlog for a lesson       its own teachers (taught, co-teaching) and the
//	(one occurrence)                  replacement recorded for that occurrence; not
//	                                  a colleague who only teaches the same class
//	write-classlog for a class/group  its teachers (taught or headed): where a copy
//	                                  of an entry may go (the copy also wants the
//	                                  entry's subject taught there, in the entry's
//	                                  establishment)
//	read-classlog of an entry         its author always; once published and its
//	                                  publication time reached: the students of its
//	                                  class or group, their relatives, head and
//	                                  deputy, and the colleagues teaching the same
//	                                  class or group when the establishment allows
//	                                  it (class log setting) (9)
//	edit-entry                        its author, while they may write its lesson's
//	                                  class log (a copy: its class or group's), to
//	                                  change, attach to, copy or delete it
//	read-classlog of a homework       as its entry
//	hand-in                           the students who may read it, when it asks for
//	                                  an upload
//	read-hand-ins                     the entry's author; head, deputy
//	read-done of a student            the student and their relatives, nobody else (10)
//	tick-done                         the student only
//	read-file                         its owner; readers of an entry it is attached
//	                                  to; for handed-in work, those who may read the
//	                                  hand-ins; a justification's
//	                                  document: head, deputy, cpe and the student's
//	                                  legal guardians; a message's attachment: the
//	                                  conversation's participants; a news item's
//	                                  attachment: as the news (Communication)
//
// A lesson shows its teachers' names (title and last name) to whoever may
// see the lesson: they are part of the timetable. A calendar feed is built
// by asking these same questions as the feed's owner.
//
// # School life (schoollife.go)
//
// Attendance, punishments, sanctions and correspondence notes are about a
// student. The CPE, the head and the deputy run school life in their
// establishment; the secretary and the documentalist, who read directory
// records, do not read absences and punishments.
//
//	question                          who may (same establishment)
//	--------------------------------  ------------------------------------------------
//	read-school-life of a student     the student; their relatives (active child);
//	                                  the teachers of their classes and groups;
//	                                  head, deputy, cpe
//	read-school-life of a class/group its teachers (taught or headed); head, deputy,
//	                                  cpe
//	read-school-life of an            head, deputy, cpe (the day of the whole
//	establishment                     establishment, the counts, the counter)
//	manage-school-life                head, deputy, cpe (absences over time,
//	                                  exemptions, justifications reviewed, reasons
//	                                  and settings)
//	read-confidential                 the student, their relatives; head, deputy,
//	                                  cpe; others see "motif confidentiel"
//	take-register of a lesson         its own teachers and the replacement recorded
//	(one occurrence)                  for that occurrence; head, deputy, cpe
//	justify, sign-note                the student's legal guardians only
//	give-punishment, write-note       the teachers of the student's classes and
//	                                  groups; head, deputy, cpe
//	read-sanctions                    the student, their relatives; head, deputy,
//	                                  cpe (not the teachers)
//	decide-sanction                   the head (R511-13; permanent exclusion is
//	                                  recorded as the disciplinary board's decision)
//	read-school-life-history          head, cpe (who changed which absence or
//	                                  sanction, before and after)
//
// Nobody acts on their own record: a student reads it, sanctions and
// confidential reasons included. Deactivated students are refused to all.
// Supervisors (assistants d'éducation) carry no function in the directory
// feeds: until one does, they give punishments through the CPE.
//
// # Grades (grades.go)
//
// Marks, averages, competence levels and report cards are about a student
// and belong to a teaching: a class or group taught in a subject
// (Teaching). A teacher reads and enters the marks of their own teachings
// only; the head teacher (professeur principal) reads every subject of
// their class; the head and the deputy read their establishment's. The
// secretary, the CPE and the documentalist read no marks (need to know);
// the CPE reads report cards, on which they write school life's appraisal.
//
//	question                          who may (same establishment)
//	--------------------------------  ------------------------------------------------
//	read-grades of a student          the student; their relatives (active child);
//	(every subject)                   the head teacher of their class; head, deputy
//	read-grades of a teaching         its teachers; the head teacher of the class (or
//	                                  of a class the group draws from); head, deputy
//	enter-marks in a teaching         its teachers (open year), with a session that
//	                                  passed a second factor (12)
//	read-report-card of a student     the student; their relatives; the head teacher;
//	                                  head, deputy, cpe (families: once published)
//	read-grades, read-report-card     the class's head teacher; head, deputy (and cpe
//	of a class (council view)         for report cards)
//	write-council of a class          its head teacher; head, deputy, with a session
//	(appraisal, mention, orientation, that passed a second factor (12)
//	end-of-cycle positioning)
//	write-life-appraisal of a class   cpe; head, deputy, with a second factor (12)
//	manage-grades, read-grades of an  head, deputy (settings, deadlines, reopening,
//	establishment                     coefficients, publication, national export)
//	read-grades-audit                 head (who changed which mark, appraisal or
//	                                  report card, before and after)
//
// Deactivated students are refused to all; a teaching of a closed year is
// entered by nobody. Publication dates (of an evaluation, of a report
// card) are the grades package's to apply on top of these rules.
//
// # Communication (comm.go, news.go)
//
// Who may write to whom is a matrix per establishment: a cell per sender
// and recipient category (student, relative, teacher, school life,
// direction, staff), each with a scope (nobody, those linked to the
// sender, everyone of the category there). The defaults follow the 2006
// order: students and their teachers and school life; relatives and their
// children's teachers, school life and direction; staff and teachers with
// their establishment (teachers: their own students and their families,
// by default); never a student and another family's relative, and a
// relative and another family only through the elected parent
// representatives the head designates (parent_representatives, open years):
// a family writes to those of its children's classes and establishment, a
// representative to the families of the classes represented (all of the
// establishment's for one without a class). The head edits the cells
// (manage-comm-rules) and designates the representatives; every refusal of write-to names its cell in words
// (Viewer.WhyWrite). A relative, or a member of staff outside school life,
// may decline new messages from students and/or families (refuse-messages;
// not a teacher, not the CPE: families and students keep their way to the
// school); direction, teachers and staff always write to them, and answers
// to what they wrote are never blocked. Only the participants of a
// conversation read it: nobody else, the head and the operators included
// (docs/messaging.md). The establishments' edits, the refusals and the
// representatives are facts of the directory's version (Facts), bumped by
// their changes.
//
//	question                          who may (same establishment)
//	--------------------------------  ------------------------------------------------
//	write-to a person                 as the establishment's matrix allows, unless the
//	                                  recipient declines the sender's category
//	                                  (does-not-accept); anyone may answer those who
//	                                  wrote in the conversation
//	manage-comm-rules                 head (the cells, the parent representatives)
//	refuse-messages (on oneself)      a relative; staff who are not school life
//	                                  (not a teacher)
//	publish-news to an audience       a teacher: the students or families of the classes
//	                                  and groups they teach or head; head, deputy, cpe:
//	                                  their whole establishment, by profile or function
//	follow-news (tracking, reminders, its author; head, deputy
//	export, withdrawal)
//	edit a news item                  its author only, while they may still publish to
//	                                  its audience (not the head: they withdraw it)
//	read-file of a news item's        its author; once published, head and deputy;
//	attachment                        those it was addressed to while it is shown
//	                                  to them (published, not withdrawn, in its
//	                                  window)
//
// # Privilege order (account administration and lifecycle)
//
//	level  who
//	-----  ----------------------------------------------------------
//	5      admin (operator)
//	4      head
//	3      deputy
//	2      secretary, cpe, documentalist, staff without a function
//	1      teacher
//	0      student, relative
//
// A person ranks at the highest level of their profile and of the staff
// functions they hold where they are attached (which count for staff and
// teachers only, as everywhere: a teacher who is also deputy ranks 3). A
// viewer acts at the level of the right they use in the establishment:
// operator 5, head 4, deputy 3, secretary 2. Nobody acts on an account
// ranking as high as that or higher: a secretary manages neither the head,
// nor the deputy, nor another secretary, the CPE or the documentalist; a
// deputy not another deputy; a head not another head nor an operator.
// Operators are the one exception to the equal level: an operator may act
// on another operator's account (the reach rule below still applies), as
// nobody ranks above them to help one who lost their second factor.
//
// The reach of an account is every establishment it opens: those the person
// is attached to and, for a relative, those of their active children
// (whoever gets into a parent's account sees the children's files there).
// Acting on a whole account needs the right on every establishment of its
// reach, so a person attached to two schools, or a parent with a child in
// each, is managed by someone holding the right on both (an operator
// attached to both), never by the head of one of them alone.
//
// A refusal under these rules is explained on the page (the person is known
// to the viewer): ErrOwnAccount, ErrPrivilege, ErrElsewhere. Every other
// refusal is the plain one, which looks like a missing page.
//
// # Provisioning and the account lifecycle
//
//	viewer                  provision: establishment   provision: person              provision: instance
//	----------------------  -------------------------  -----------------------------  -------------------
//	admin                   establishments attached    people attached there (7)      yes
//	head, secretary         own establishment          people attached there who      -
//	                                                   rank below them (7)
//	anyone else             -                          -                              -
//
// Provision on an establishment: import its deliveries, roll its school
// year over, list its closed accounts and their purge dates. On a person,
// in two sizes. On their membership of one establishment (Membership):
// close their account there, with the right on that establishment alone;
// when they are attached to other establishments too, this ends only their
// attachment to this one and their account stays open for the others (as a
// complete delivery of the feed does); from their last establishment, it
// closes the account. On the whole account (Person): reactivate, record
// their choice about their contributions, with the right on every
// establishment they are attached to. Both only on people ranking below
// the viewer, never on oneself. On the instance: import a feed that brings
// new establishments (the operator who does it is attached to them). An
// import needs the right on every establishment it names and on every
// establishment where it changes something, each establishment of each
// person it changes included (provisioning.md, "Who may import what").
//
// # Account administration (account security)
//
//	viewer                  manage-account: person       manage-account: class   manage-security: establishment
//	----------------------  ---------------------------  ----------------------  ------------------------------
//	admin                   accounts whose whole reach   classes there           establishments attached
//	                        is among the establishments
//	                        attached (8)
//	head, deputy,           accounts whose whole reach   classes there           head and deputy only
//	secretary               is their establishment,
//	                        ranking below them (8)
//	anyone else             -                            -                       -
//
// Manage-account on a person: print an activation letter, end all their
// sessions, remove their second factors; never on oneself (one's own account
// is managed from its own pages, with re-authentication). On a class: print
// the activation letters of its students and their relatives, for those on
// whom manage-account is allowed and whose account is not activated yet
// (the others are counted on the first page). Manage-security: choose which
// profiles and functions must use a second factor.
//
// An activation letter never replaces a password: it is refused for an
// account already activated (a password set, by activation, reset, change
// or otherwise), and a code still unused when the account gets a password
// no longer works. A person who lost their password uses "Mot de passe
// oublié" (their recovery e-mail, or the directory's). A letter prints the
// postal address only when the viewer may read-contact the person; an
// operator may not (note 4), so their letters leave the address block
// empty and are handed out in class.
//
// # Why
//
//  1. Only a legal guardian sees the child's personal contact details. A
//     linked person who is not a guardian ("person in charge", or a parent
//     whose parental authority was withdrawn) must not learn where the child
//     lives; they keep the directory card and the school record.
//  2. Teaching a group gives its members, not every student of the classes
//     the group draws from: the Spanish teacher of a 4A/4B group has no need
//     to know the rest of 4A.
//  3. The national feed says which relatives may be contacted: legal
//     guardians, and others only when the school set the contact flag.
//  4. Operators provision accounts and run the service: they need names and
//     school records to fix the directory, never a family's phone or
//     address. An operator account is also a prime target for attackers;
//     keeping contact details out of it limits what a stolen one leaks.
//  5. Separated parents must not see each other's address through the
//     school; a relative reaches only their own children.
//  6. The documentalist needs class lists for library loans; groups add
//     nothing to that need.
//  7. An import rewrites an establishment's directory and closing an account
//     cuts someone off: only those accountable for that directory (its head
//     and secretary) and the operators who run the feeds may do it. The
//     deputy, the CPE and teachers may not. One school's decision ends the
//     person's place in that school, not in another one.
//  8. Issuing a code or removing a second factor lets someone into an
//     account: only those who run the establishment's directory may, on
//     accounts ranking below them and reaching no other establishment;
//     otherwise a secretary could take over the head's account, or the head
//     of one school a parent's to read a child's file in another school.
//  9. A teacher's lesson notes are their own work in progress; a school may
//     decide that the teachers of a class share them (the national
//     guidance leaves it to the establishment).
//  10. Whether a child did their homework is between the child and the
//     family: a tick is not an assessment, teachers see hand-ins instead.
//  11. Students and relatives see a small circle (classmates, their
//     teachers, their family, the staff in charge) that their own pages
//     already list; a search would add nothing to their need.
//  12. Marks are what a stolen teacher account would most likely be used
//     to change: the CNIL asks for strong authentication wherever grades
//     are managed online, whatever a school chose for its other pages.
package access
