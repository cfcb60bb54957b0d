// Package letters prints the activation letters that administrators hand
// out or post to students and relatives: one A4 page per person, in
// French, with the address, the login, the activation code, the steps of
// the activation page as it performs them, and how to protect the account.
// It writes PDF with a pure-Go library.
package letters

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"cartable/internal/i18n"
)

// Letter is one page.
type Letter struct {
	Establishment string // name
	City          string // of the establishment, for the date line
	Name          string // "Prénom NOM" of the recipient
	Address       []string
	Profile       string   // student or relative (any other profile reads as an adult's)
	Children      []string // for a relative: the children's names
	Login         string
	Code          string
	ExpiresAt     time.Time
	URL           string // base URL of the service
	Date          time.Time
	// SecondFactor tells that the establishment requires a second factor
	// of the recipient: the activation then asks them to set one up
	// before anything else.
	SecondFactor bool
}

// Offered is what a letter says the account gives access to: the modules
// this version of Cartable serves every establishment, no more. A module
// is named here once it is built (grades, absences and messages are
// not): a letter must never promise what the school does not have.
var Offered = struct{ Adult, Student string }{
	Adult:   "l'emploi du temps et ses changements, le cahier de textes, le travail à faire (à rendre en ligne quand le professeur le demande) et les documents joints par les professeurs",
	Student: "ton emploi du temps et ses changements, le cahier de textes, le travail à faire (à rendre en ligne quand le professeur le demande) et les documents joints par tes professeurs",
}

// french keeps a quotation mark or a colon on the line of its word, as
// French typography does, with a no-break space (which the PDF's lines do
// not break at): a button's name in quotes stays on one line.
var french = strings.NewReplacer("« ", "«\u00a0", " »", "\u00a0»", " :", "\u00a0:", " ;", "\u00a0;")

// frDate writes a date of a letter in French, in Europe/Paris ("1er
// novembre 2026").
func frDate(t time.Time) string { return i18n.Date("fr", t) }

// Skipped counts the people of a batch (a class) who get no letter, so
// that whoever prints the batch learns it on its first page.
type Skipped struct {
	Activated  int // their account is already activated: a letter never replaces a password
	OutOfReach int // the one printing may not manage their account (another establishment, or a rank as high as theirs)
}

func (s Skipped) any() bool { return s.Activated > 0 || s.OutOfReach > 0 }

// Write renders the letters as one PDF.
func Write(w io.Writer, ls []Letter) error { return WriteBatch(w, ls, Skipped{}) }

// WriteBatch renders the letters as one PDF, preceded, when some people
// were left out, by a page for whoever prints them that says how many and
// why (counts only, no names).
func WriteBatch(w io.Writer, ls []Letter, skipped Skipped) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Codes d'activation Cartable", true)
	pdf.SetAuthor("Cartable", true)
	pdf.SetCreator("Cartable", true)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 18)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // the core fonts speak cp1252
	if skipped.any() {
		cover(pdf, tr, len(ls), skipped)
	}
	for _, l := range ls {
		page(pdf, tr, l)
	}
	if err := pdf.Error(); err != nil {
		return err
	}
	return pdf.Output(w)
}

func page(pdf *fpdf.Fpdf, tr func(string) string, l Letter) {
	pdf.AddPage()
	txt := func(size float64, style string, h float64, s string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.MultiCell(0, h, tr(french.Replace(s)), "", "L", false)
	}
	txt(13, "B", 6, l.Establishment)
	pdf.Ln(12)
	// The address block sits where a window envelope shows it.
	pdf.SetX(110)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(80, 5.5, tr(strings.Join(append([]string{l.Name}, l.Address...), "\n")), "", "L", false)
	pdf.Ln(10)
	where := l.City
	if where != "" {
		where += ", le "
	} else {
		where = "Le "
	}
	pdf.SetX(110)
	txt(10, "", 5, where+frDate(l.Date))
	pdf.Ln(8)
	txt(12, "B", 6, "Objet : votre compte Cartable, l'espace numérique de l'établissement")
	pdf.Ln(4)
	student := l.Profile == "student"
	intro := "Madame, Monsieur,\n\nVoici de quoi ouvrir votre compte sur Cartable, l'espace numérique de travail de l'établissement : " + Offered.Adult + "."
	if l.Profile == "relative" && len(l.Children) > 0 {
		intro += " Ce compte vous donne accès aux informations de : " + strings.Join(l.Children, ", ") + "."
	}
	if student {
		intro = "Bonjour " + l.Name + ",\n\nVoici de quoi ouvrir ton compte sur Cartable, l'espace numérique de travail de ton établissement : " + Offered.Student + "."
	}
	txt(11, "", 5.5, intro)
	pdf.Ln(5)

	// The codes, in a framed box.
	y := pdf.GetY()
	pdf.SetDrawColor(40, 40, 40)
	pdf.Rect(20, y, 170, 38, "D")
	pdf.SetXY(25, y+4)
	pdf.SetFont("Helvetica", "", 11)
	pdf.Cell(45, 7, tr("Adresse :"))
	pdf.SetFont("Helvetica", "B", 11)
	pdf.Cell(0, 7, tr(l.URL+"/activate"))
	pdf.SetXY(25, y+12)
	pdf.SetFont("Helvetica", "", 11)
	pdf.Cell(45, 7, tr("Identifiant :"))
	pdf.SetFont("Courier", "B", 13)
	pdf.Cell(0, 7, tr(l.Login))
	pdf.SetXY(25, y+20)
	pdf.SetFont("Helvetica", "", 11)
	pdf.Cell(45, 7, tr("Code d'activation :"))
	pdf.SetFont("Courier", "B", 15)
	pdf.Cell(0, 7, l.Code)
	pdf.SetXY(25, y+28)
	pdf.SetFont("Helvetica", "I", 10)
	pdf.Cell(0, 7, tr("Ce code ne sert qu'une fois. Il expire le "+frDate(l.ExpiresAt)+"."))
	pdf.SetXY(20, y+44)

	txt(10.5, "", 5, steps(l))
	pdf.Ln(4)
	protect := "Pour protéger le compte :\n" +
		"- Ne communiquez jamais le mot de passe, même à un proche : personne dans l'établissement ne vous le demandera. " +
		"Ne l'utilisez pas sur un autre site.\n"
	if !l.SecondFactor {
		protect += "- Activez la double authentification (application d'authentification ou clé d'accès) dans « Sécurité du compte ».\n"
	}
	protect += "- Sur un ordinateur partagé, déconnectez-vous en partant ; « Sécurité du compte » montre vos sessions ouvertes et permet de les fermer.\n" +
		"- Une fois le compte activé, le code ne sert plus à rien : détruisez ou conservez cette lettre."
	if student {
		protect = "Pour protéger ton compte :\n" +
			"- Ne donne jamais ton mot de passe, même à un ami : personne dans l'établissement ne te le demandera.\n" +
			"- N'utilise pas ce mot de passe sur un autre site ou un jeu.\n" +
			"- Sur un ordinateur partagé, déconnecte-toi en partant.\n" +
			"- Une fois ton compte activé, le code ne sert plus à rien."
	}
	txt(10.5, "", 5, protect)
	pdf.Ln(4)
	txt(9, "I", 4.5, "Vos données sont traitées par l'établissement pour le fonctionnement de l'espace numérique de travail (arrêté du 30 novembre 2006). Vous pouvez exercer vos droits auprès du chef d'établissement.")
}

// steps are the activation's steps exactly as the page at /activate takes
// them (internal/web/signin): the login and the code, then on one page the
// password typed twice and, for a relative only, the recovery e-mail
// (required); the account is then open and signed in, unless the
// establishment requires a second factor, which is set up at once.
func steps(l Letter) string {
	if l.Profile == "student" {
		s := "Pour activer ton compte :\n" +
			"1. Ouvre l'adresse ci-dessus, saisis l'identifiant et le code d'activation, puis choisis « Continuer ».\n" +
			"2. Choisis un mot de passe et saisis-le deux fois : au moins 12 caractères de quatre sortes (majuscules, minuscules, chiffres, " +
			"symboles), 14 de trois sortes, ou une phrase de plusieurs mots (« ma-tante-range-7-pots-de-confiture »). " +
			"Choisis ensuite « Activer mon compte » : ton compte est ouvert."
		if l.SecondFactor {
			s += "\n3. Ton établissement demande une double authentification : configure tout de suite une application d'authentification " +
				"sur ton téléphone ou une clé d'accès. Elle te sera demandée à chaque connexion depuis un nouvel appareil."
		}
		return s
	}
	s := "Pour activer le compte :\n" +
		"1. Ouvrez l'adresse ci-dessus, saisissez l'identifiant et le code d'activation, puis choisissez « Continuer ».\n" +
		"2. Choisissez un mot de passe et saisissez-le deux fois : au moins 12 caractères de quatre sortes (majuscules, minuscules, chiffres, " +
		"symboles), 14 de trois sortes, ou une phrase de plusieurs mots (« ma-tante-range-7-pots-de-confiture »)."
	if l.Profile == "relative" {
		s += " Sur la même page, indiquez une adresse électronique de secours (obligatoire) : elle sert seulement à vous envoyer " +
			"un lien si vous oubliez le mot de passe, et à vous prévenir d'une activité suspecte."
	}
	s += " Choisissez ensuite « Activer mon compte » : le compte est ouvert."
	if l.SecondFactor {
		s += "\n3. L'établissement demande une double authentification pour ce compte : configurez tout de suite une application " +
			"d'authentification sur votre téléphone ou une clé d'accès. Elle sera demandée à chaque connexion depuis un nouvel appareil."
	}
	return s
}

// cover is the first page of a batch from which people were left out.
func cover(pdf *fpdf.Fpdf, tr func(string) string, printed int, s Skipped) {
	pdf.AddPage()
	txt := func(size float64, style string, h float64, t string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.MultiCell(0, h, tr(french.Replace(t)), "", "L", false)
	}
	txt(14, "B", 7, "Courriers d'activation : page à conserver, à ne pas distribuer")
	pdf.Ln(4)
	txt(11, "", 5.5, fmt.Sprintf("Courriers produits : %d.", printed))
	pdf.Ln(3)
	if s.Activated > 0 {
		txt(11, "", 5.5, fmt.Sprintf("Comptes déjà activés, sans courrier : %d. Leur titulaire a choisi un mot de passe ; "+
			"un code d'activation ne peut pas le remplacer. En cas d'oubli, il utilise « Mot de passe oublié » sur la page de connexion.", s.Activated))
		pdf.Ln(3)
	}
	if s.OutOfReach > 0 {
		txt(11, "", 5.5, fmt.Sprintf("Comptes que vous ne pouvez pas gérer, sans courrier : %d. Ils sont rattachés aussi à un "+
			"autre établissement (ou, pour un responsable, un de ses enfants l'est), ou leur rang égale ou dépasse le vôtre. "+
			"Un administrateur rattaché à tous leurs établissements peut produire leur courrier.", s.OutOfReach))
	}
}
