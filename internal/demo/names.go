package demo

import "strings"

// Common French first names. Children (born 2010–2015) and adults (born
// 1965–1995) get the names of their generation, grandparents older ones.

var girlNames = []string{
	"Emma", "Jade", "Louise", "Alice", "Chloé", "Lina", "Léa", "Rose", "Anna", "Mila",
	"Inès", "Ambre", "Julia", "Mia", "Léna", "Manon", "Juliette", "Lou", "Zoé", "Camille",
	"Agathe", "Jeanne", "Lucie", "Eva", "Nina", "Sarah", "Romane", "Inaya", "Charlotte", "Léonie",
	"Romy", "Adèle", "Iris", "Louna", "Sofia", "Margaux", "Clémence", "Capucine", "Victoire", "Lola",
	"Nour", "Olivia", "Valentine", "Margot", "Élise", "Clara", "Héloïse", "Maëlys", "Alix", "Mathilde",
	"Lilou", "Victoria", "Apolline", "Candice", "Lisa", "Luna", "Maya", "Yasmine", "Giulia", "Elena",
	"Gabrielle", "Océane", "Noémie", "Pauline", "Salomé", "Anaïs", "Emmy", "Thaïs", "Maëlle", "Elsa",
	"Lana", "Célia", "Assia", "Lya", "Ninon", "Constance", "Marie", "Blanche", "Hana", "Aya",
	"Maryam", "Lila", "Lise", "Nora", "Justine", "Marine", "Eléonore", "Suzanne", "Céleste", "Alma",
	"Imane", "Shaïna", "Kenza", "Axelle", "Mélina", "Soline", "Faustine", "Garance", "Albane", "Philippine",
	"Ilona", "Louane", "Rania", "Sana",
}

var boyNames = []string{
	"Gabriel", "Raphaël", "Léo", "Louis", "Lucas", "Adam", "Arthur", "Hugo", "Jules", "Maël",
	"Liam", "Ethan", "Paul", "Nathan", "Gabin", "Sacha", "Noah", "Tom", "Mohamed", "Aaron",
	"Théo", "Noé", "Victor", "Martin", "Mathis", "Axel", "Léon", "Antoine", "Marius", "Valentin",
	"Samuel", "Baptiste", "Augustin", "Naël", "Timéo", "Éden", "Nolan", "Enzo", "Maxime", "Robin",
	"Malo", "Rayan", "Isaac", "Oscar", "Simon", "Evan", "Clément", "Alexandre", "Mathéo", "Kylian",
	"Amir", "Côme", "Eliott", "Gaspard", "Lenny", "Ibrahim", "Alexis", "Thomas", "Benjamin", "Joseph",
	"Thibault", "Yanis", "Milo", "Samy", "Youssef", "Aylan", "Lyam", "Ilyes", "Mathys", "Timothée",
	"Noam", "Nino", "Charles", "Basile", "Hector", "Achille", "Adrien", "Félix", "Lorenzo", "Diego",
	"Ayoub", "Esteban", "Titouan", "Elias", "Kaïs", "Pierre", "Jean", "Luca", "Matteo", "Mehdi",
	"Bastien", "Quentin", "Romain", "Corentin", "Lounis", "Sami", "Erwan", "Owen", "Killian", "Wassim",
	"Jean-Baptiste", "Anatole", "Ruben", "Tiago",
}

var womanNames = []string{
	"Nathalie", "Isabelle", "Sylvie", "Catherine", "Valérie", "Sandrine", "Stéphanie", "Christine", "Véronique", "Céline",
	"Virginie", "Aurélie", "Sophie", "Émilie", "Julie", "Laetitia", "Caroline", "Audrey", "Élodie", "Karine",
	"Séverine", "Anne", "Marie", "Hélène", "Laurence", "Delphine", "Florence", "Cécile", "Claire", "Agnès",
	"Corinne", "Sabrina", "Vanessa", "Mélanie", "Jennifer", "Amélie", "Anaïs", "Marion", "Camille", "Laura",
	"Pauline", "Charlotte", "Mathilde", "Alexandra", "Emmanuelle", "Magali", "Patricia", "Nadia", "Samia", "Fatima",
	"Leïla", "Karima", "Myriam", "Sarah", "Elsa", "Estelle", "Gaëlle", "Marjorie", "Jessica", "Ludivine",
	"Lucie", "Aline", "Béatrice", "Carole", "Fabienne", "Géraldine", "Ingrid", "Juliette", "Laure", "Manon",
	"Morgane", "Nadège", "Nelly", "Noémie", "Pascale", "Rachel", "Solène", "Sonia", "Valentine", "Yasmina",
	"Hanane", "Amel", "Marie-Claire", "Anne-Sophie", "Clémence", "Élise", "Mounia", "Ophélie", "Coralie", "Priscilla",
	"Gwendoline", "Alice", "Bérénice", "Anne-Laure", "Tiphaine", "Armelle", "Marina", "Olivia", "Sabine", "Maud",
}

var manNames = []string{
	"Nicolas", "Julien", "Sébastien", "Stéphane", "David", "Christophe", "Frédéric", "Laurent", "Olivier", "Thomas",
	"Jérôme", "Vincent", "Philippe", "Pierre", "Guillaume", "François", "Cédric", "Mathieu", "Alexandre", "Éric",
	"Arnaud", "Fabrice", "Romain", "Benjamin", "Anthony", "Maxime", "Damien", "Yann", "Antoine", "Jean-Baptiste",
	"Franck", "Emmanuel", "Ludovic", "Grégory", "Xavier", "Pascal", "Patrick", "Thierry", "Bruno", "Didier",
	"Hervé", "Jean-Michel", "Jean-François", "Karim", "Mehdi", "Rachid", "Samir", "Mohamed", "Nabil", "Youssef",
	"Yannick", "Benoît", "Bertrand", "Gilles", "Marc", "Sylvain", "Loïc", "Florent", "Jonathan", "Kévin",
	"Mickaël", "Aurélien", "Adrien", "Clément", "Fabien", "Gaël", "Hugo", "Jérémy", "Lionel", "Matthieu",
	"Raphaël", "Rémi", "Simon", "Thibaut", "Tristan", "Vivien", "Yohan", "Hakim", "Malik", "Cyril",
	"Joël", "Régis", "Jean-Luc", "Arthur", "Bastien", "Étienne", "Florian", "Gaëtan", "Hadrien", "Ismaël",
	"Jacques", "Lucas", "Mathias", "Noël", "Pierre-Yves", "Quentin", "Renaud", "Sofiane", "Timothée", "William",
}

var grandmotherNames = []string{
	"Monique", "Martine", "Françoise", "Jacqueline", "Danielle", "Nicole", "Annie", "Chantal", "Michèle", "Brigitte",
	"Colette", "Josiane", "Évelyne", "Odile", "Ghislaine", "Huguette", "Mireille", "Régine", "Bernadette", "Simone",
}

var grandfatherNames = []string{
	"Jean-Pierre", "Gérard", "Bernard", "Michel", "Alain", "Jacques", "Daniel", "Patrick", "Claude", "René",
	"Jean-Claude", "Roger", "Guy", "André", "Christian", "Serge", "Yves", "Maurice", "Georges", "Marcel",
}

// Common surnames of France, with a few particles and apostrophes so that
// login normalisation is exercised.
var surnames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
	"Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
	"Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier",
	"Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
	"Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
	"Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
	"Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez",
	"Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard",
	"Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois",
	"Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopez",
	"Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis",
	"Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam",
	"Paris", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard",
	"Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet", "Léger",
	"Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux", "Cousin", "Germain", "Breton",
	"Besson", "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun",
	"Weber", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Gillet", "Étienne", "Tessier",
	"Chauvin", "Da Silva", "Lemaître", "Humbert", "Reynaud", "Barthélemy", "Cordier", "Lejeune", "Delaunay", "Pasquier",
	"N'Diaye", "Diallo", "Traoré", "Nguyen", "Tran", "Haddad", "Benali", "Mansouri", "Cohen", "Kaya",
	"Dos Santos", "D'Almeida", "Ferreira", "Rossi", "Yılmaz", "Diop", "Camara", "Bensaïd", "Lê", "Saint-Martin",
}

// slug turns a name into the lower-case ASCII form used in logins: accents
// stripped, spaces and apostrophes turned into '-', anything else dropped.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if a, ok := fold[r]; ok {
			b.WriteString(a)
			dash = false
			continue
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == ' ' || r == '-' || r == '\'' || r == '’':
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}

var fold = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a",
	'ç': "c",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i", 'ı': "i",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o", 'ø': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u",
	'ÿ': "y", 'ý': "y",
	'ñ': "n",
	'œ': "oe", 'æ': "ae", 'ß': "ss",
	'ş': "s", 'ğ': "g",
}

// street is a street of the establishment's neighbourhood and its postcode.
type street struct{ name, postcode string }

// Streets of eastern Paris (11e, 12e, 20e arrondissements).
var collegeStreets = []street{
	{"rue de la Roquette", "75011"}, {"boulevard Voltaire", "75011"}, {"rue Oberkampf", "75011"},
	{"avenue Parmentier", "75011"}, {"rue Saint-Maur", "75011"}, {"rue de Charonne", "75011"},
	{"rue Popincourt", "75011"}, {"rue Sedaine", "75011"}, {"rue Servan", "75011"},
	{"rue Léon-Frot", "75011"}, {"rue Jean-Pierre-Timbaud", "75011"}, {"rue du Chemin-Vert", "75011"},
	{"rue Godefroy-Cavaignac", "75011"}, {"rue Keller", "75011"}, {"rue des Boulets", "75011"},
	{"rue Alexandre-Dumas", "75011"}, {"rue de la Folie-Regnault", "75011"}, {"boulevard Richard-Lenoir", "75011"},
	{"rue Amelot", "75011"}, {"avenue Philippe-Auguste", "75011"}, {"rue Faidherbe", "75011"},
	{"rue Trousseau", "75011"}, {"rue de Montreuil", "75011"}, {"passage Thiéré", "75011"},
	{"rue de Reuilly", "75012"}, {"avenue Daumesnil", "75012"}, {"rue de Picpus", "75012"},
	{"boulevard Diderot", "75012"}, {"rue de Charenton", "75012"}, {"rue du Faubourg-Saint-Antoine", "75012"},
	{"rue des Pyrénées", "75020"}, {"rue d'Avron", "75020"}, {"rue de Bagnolet", "75020"},
}

var lyceeStreets = []street{
	{"rue des Pyrénées", "75020"}, {"avenue Gambetta", "75020"}, {"rue de Bagnolet", "75020"},
	{"rue d'Avron", "75020"}, {"rue de Ménilmontant", "75020"}, {"rue des Vignoles", "75020"},
	{"rue de la Réunion", "75020"}, {"rue Orfila", "75020"}, {"rue du Surmelin", "75020"},
	{"boulevard Davout", "75020"}, {"rue Stendhal", "75020"}, {"rue des Maraîchers", "75020"},
	{"rue Vitruve", "75020"}, {"rue de Belleville", "75020"}, {"rue Alexandre-Dumas", "75011"},
	{"rue de Charonne", "75011"}, {"boulevard de Charonne", "75011"},
}
