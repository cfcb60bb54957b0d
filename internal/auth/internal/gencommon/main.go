// Command gencommon writes the list of common passwords that Cartable
// refuses (internal/auth/common-passwords.txt). It builds the list from
// public knowledge of how people choose passwords: the passwords that top
// every published leak analysis, keyboard walks on AZERTY and QWERTY
// keyboards, first names, pets, football clubs, cities and everyday words
// (French and English) followed by years and the usual suffixes, and the
// name of the school tools themselves. Run it with `go generate
// ./internal/auth`; the output is sorted and deterministic.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Passwords that appear at the top of published analyses of leaked
// password lists, in France and elsewhere.
var top = strings.Fields(`
123456 123456789 12345678 12345 1234567 1234567890 1234 111111 000000 123123 654321 666666 121212 112233
987654321 123321 7777777 555555 888888 999999 159753 147258369 123654 1q2w3e4r 1q2w3e 1qaz2wsx qwerty azerty
azertyuiop qwertyuiop password passw0rd password1 password123 motdepasse motdepasse1 motdepasse123 mdp mdp123
soleil doudou loulou chouchou marseille bonjour coucou nicolas camille julien thomas chocolat jetaime jtm
jetaime1 tequiero iloveyou iloveu teamo princesse princess dragon monkey football baseball superman batman
letmein welcome admin administrateur administrator root toor test test123 guest invite utilisateur user
master sunshine shadow michael jennifer jordan hunter charlie daniel pokemon starwars whatever trustno1
abc123 abcdef abcd1234 qazwsx zaq12wsx asdfgh asdfghjkl zxcvbnm azerty123 azerty1 qwerty123 qwerty1
1234qwer qwer1234 aaaaaa aaaaaaaa 11111111 00000000 12341234 1111 0000 2000 2010 2020 password12 iloveyou1
football1 secret secret123 changeme changeme123 bienvenue bienvenue1 bienvenue123 salut salut123 coucou123
doudou123 loulou123 soleil123 chouchou123 nounours nounours1 cheval chaton lapin titi toto tata tutu
marseille13 olympique psg paris75 parisien lyon69 bordeaux33 lille59 nantes44 toulouse31 allezlom
allezparis ohana hello hello123 bonjour123 merci merci123 amour amour123 tendresse bisous bisous123
maman papa maman123 papa123 mamour famille famille123 bebe bebe123 doudou1 minou minette kiki lolo
fifi didou chipie cannelle caramel vanille choupette biscotte moustache filou pupuce puce
`)

// First names common in France across the generations, and a few English ones.
var names = strings.Fields(`
marie jean pierre michel andre philippe louis nicolas francois daniel alain bernard jacques patrick
christophe eric laurent stephane sebastien david julien thomas alexandre olivier vincent frederic
maxime antoine guillaume romain kevin anthony mathieu jeremy florian quentin hugo lucas theo nathan
enzo mathis louis gabriel leo raphael arthur jules adam paul noah tom ethan sacha timeo mael liam
nolan axel clement baptiste valentin benjamin dylan alexis adrien yann cedric fabrice franck gilles
herve ludovic mickael pascal regis sylvain thierry xavier yves bruno claude didier dominique emmanuel
gerard henri jerome joel marc mathias mehdi karim yanis rayan ilyes amine samir sofiane bilal
nathalie isabelle sylvie catherine sandrine christine valerie veronique celine stephanie sophie
aurelie julie emilie laura sarah camille manon chloe lea emma ines jade louise alice lina rose anna
mila julia ambre zoe lou lena eva juliette clara charlotte margaux mathilde pauline marine lucie
oceane morgane audrey elodie melanie caroline virginie laetitia karine sabrina patricia nadia
sonia myriam fatima yasmine sarah amandine anais justine marion coralie helene agnes anne annie
brigitte chantal colette danielle francoise genevieve jacqueline josiane martine michele monique
nicole odile simone suzanne yvette christiane evelyne corinne florence laurence muriel pascale
jessica vanessa cindy melissa amelie estelle fanny gaelle ophelie solene victoire capucine
michael jennifer jessica ashley amanda joshua matthew andrew james robert john william richard
joseph charles thomas christopher steven brian george edward ronald kenneth donald mark paul
`)

// Pets, things and everyday words, French first.
var words = strings.Fields(`
soleil chocolat bonjour amour jetaime motdepasse doudou loulou chouchou nounours cheval chaton
chat chien lapin tigre lion dragon princesse prince bisou bisous coucou salut merci famille maison
jardin ecole college lycee classe cartable cahier stylo crayon vacances ete hiver printemps automne
noel paques plage soleil lune etoile ciel nuage pluie neige mer ocean montagne foret fleur rose
tulipe papillon oiseau poisson dauphin baleine licorne fee sorciere magie reve bonheur liberte
football rugby tennis basket handball judo danse musique guitare piano chanson cinema manga
pokemon naruto mario zelda minecraft fortnite roblox sims playstation xbox nintendo iphone samsung
orange free bouygues sfr renault peugeot citroen ferrari porsche bmw audi mercedes tesla
marseille paris lyon lille bordeaux nantes toulouse nice rennes strasbourg montpellier grenoble
brest toulon reims lens metz nancy rouen caen dijon angers tours limoges amiens perpignan
bretagne normandie provence alsace corse savoie france europe afrique maroc algerie tunisie
portugal espagne italie bresil
olympique psg om ol losc asse fcnantes girondins stade racing
chocolat caramel vanille fraise framboise cerise pomme banane orange citron peche abricot
biscuit gateau bonbon sucre miel crepe pizza burger frites
azerty qwerty password secret admin welcome hello master shadow sunshine monkey letmein freedom
superman batman spiderman starwars matrix ninja pirate viking warrior killer hunter gamer
love lovely sweet angel baby honey sugar summer winter spring autumn flower butterfly
bienvenue utilisateur administrateur invite professeur enseignant directeur principal eleve
parent maman papa mamie papy tonton tata cousin cousine frere soeur bebe
pronote ecoledirecte monlycee moncollege ent toutatice laclasse skolengo educonnect mbn
`)

// Keyboard rows (AZERTY, QWERTY, QWERTZ) and the number row.
var rows = []string{
	"azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "yxcvbnm",
	"1234567890", "&é\"'(-è_çà", "0987654321",
}

// Column walks and two-row patterns on AZERTY and QWERTY.
var walks = []string{
	"1qaz2wsx3edc4rfv", "1aq2zs3ed4rf5tg", "a1z2e3r4t5y6", "q1w2e3r4t5y6", "1a2z3e4r5t6y", "1q2w3e4r5t6y",
	"azqswxedc", "aqwzsxedc", "qazwsxedc", "zaqxswcde", "azerqsdf", "qwerasdf", "azertyqsdfgh", "qwertyasdfgh",
	"1234azer", "azer1234", "1234qwer", "qwer1234", "asdf1234", "1234asdf", "poiuytreza", "mlkjhgfdsq",
	"nbvcxw", "0987poiu", "poiu0987", "147258369", "159357", "159753", "753951", "741852963", "963852741",
	"123qwe", "qwe123", "123aze", "aze123", "321ewq", "zxc123", "123zxc", "wxc123", "123wxc",
}

var years = func() []string {
	var ys []string
	for y := 1970; y <= 2026; y++ {
		ys = append(ys, fmt.Sprint(y))
	}
	return ys
}()

var suffixes = []string{"", "1", "12", "123", "1234", "12345", "123456", "01", "13", "59", "69", "75", "93", "2", "7", "00", "!", "!!", "?", ".", "*", "@", "#", "$"}

func main() {
	out := flag.String("o", "common-passwords.txt", "output file")
	flag.Parse()
	set := map[string]bool{}
	add := func(s string) {
		s = strings.ToLower(s)
		if len(s) >= 4 && len(s) <= 64 {
			set[s] = true
		}
	}
	for _, p := range top {
		add(p)
	}
	// Keyboard walks: every prefix of a row from 4 keys, doubled, reversed.
	for _, r := range append(rows, walks...) {
		rs := []rune(r)
		for n := 4; n <= len(rs); n++ {
			w := string(rs[:n])
			add(w)
			add(w + w)
			add(reverse(w))
			for _, s := range suffixes[:8] {
				add(w + s)
			}
		}
	}
	// Digits: runs, repeats, and dates of birth written DDMMYYYY for the
	// first day of each month.
	for n := 4; n <= 16; n++ {
		add(strings.Repeat("1234567890", 2)[:n])
		add(strings.Repeat("0987654321", 2)[:n])
		for d := '0'; d <= '9'; d++ {
			add(strings.Repeat(string(d), n))
		}
		for _, l := range "abcdefghijklmnopqrstuvwxyz" {
			add(strings.Repeat(string(l), n))
		}
	}
	for _, y := range years {
		for m := 1; m <= 12; m++ {
			add(fmt.Sprintf("01%02d%s", m, y))
			add(fmt.Sprintf("%s%02d01", y, m))
		}
	}
	// Names and words with years and suffixes, capitalised or not (the
	// check lower-cases), with the usual separators.
	for _, list := range [][]string{names, words, top[:120]} {
		for _, w := range list {
			add(w)
			add(w + w)
			for _, s := range suffixes {
				add(w + s)
			}
			for _, y := range years {
				add(w + y) // the check removes separators and trailing symbols
			}
			add(reverse(w))
			add(leet(w))
		}
	}
	for _, w := range words[:150] {
		for _, y := range years {
			add(w + y[2:])
		}
	}
	// Phrases people believe are clever.
	for _, p := range []string{"jetaimemonamour", "jetaimepour toujours", "motdepassesecret", "monmotdepasse",
		"mot de passe", "motdepasseoublie", "jaioubliemonmotdepasse", "changermonmotdepasse", "iloveyouforever",
		"ilovemyfamily", "ilovemymom", "jaimemamaman", "jaimemonpapa", "allezlesbleus", "vivelafrance",
		"ohanaveutdirefamille", "thequickbrownfox", "correcthorsebatterystaple", "letmeinplease",
		"azertyuiopqsdfghjklm", "azertyuiopqsdfghjklmwxcvbn", "qwertyuiopasdfghjkl", "qwertyuiopasdfghjklzxcvbnm",
		"passwordpassword", "motdepassemotdepasse", "bonjourbonjour", "soleilsoleil", "cartablecartable"} {
		add(p)
		for _, s := range suffixes {
			add(p + s)
		}
	}
	list := make([]string, 0, len(set))
	for s := range set {
		if !strings.ContainsAny(s, "\n\r") {
			list = append(list, s)
		}
	}
	sort.Strings(list)
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "# Common passwords refused by Cartable, one per line, lower case.")
	fmt.Fprintln(w, "# Generated by internal/auth/internal/gencommon: do not edit by hand.")
	for _, s := range list {
		fmt.Fprintln(w, s)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d passwords written to %s\n", len(list), *out)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// leet writes the usual substitutions: a→@, e→3, i→1, o→0, s→$.
func leet(s string) string {
	return strings.NewReplacer("a", "@", "e", "3", "i", "1", "o", "0", "s", "$").Replace(s)
}
