package demo

// Word lists for plausible Walloon people and places. They are invented
// combinations of common words and names: any resemblance to a real person
// at a real address is chance.

var givenNamesFR = []string{
	"Gérard", "Hélène", "François", "Françoise", "Jean", "Marie", "Pierre", "Anne", "Michel", "Monique",
	"Philippe", "Christine", "Luc", "Isabelle", "André", "Andrée", "José", "Josiane", "Jacques", "Nadine",
	"Daniel", "Martine", "Alain", "Chantal", "Benoît", "Véronique", "Stéphane", "Stéphanie", "Frédéric",
	"Nathalie", "Thierry", "Valérie", "Olivier", "Sophie", "Christophe", "Céline", "Sébastien", "Aurélie",
	"Julien", "Mélanie", "Maxime", "Élodie", "Nicolas", "Amélie", "Thomas", "Camille", "Hugo", "Léa",
	"Louis", "Chloé", "Noah", "Emma", "Arthur", "Zoé", "Jules", "Inès", "Théo", "Manon", "Raphaël",
	"Juliette", "Bernard", "Ghislaine", "Roger", "Josée", "Marcel", "Renée", "Guy", "Brigitte", "Didier",
	"Fabienne", "Régis", "Bénédicte", "Jérôme", "Agnès", "Cédric", "Géraldine", "Grégory", "Laetitia",
	"Yves", "Joëlle", "Serge", "Muriel", "Rudy", "Danielle", "Jean-Marc", "Marie-Claire", "Jean-Luc",
	"Marie-Thérèse", "Jean-Pierre", "Anne-Françoise", "Mohamed", "Fatima", "Youssef", "Aïcha", "Giuseppe",
	"Maria", "Antonio", "Rosa", "Salvatore", "Carmela", "Ahmet", "Ayşe",
}

var givenNamesDE = []string{
	"Jürgen", "Brigitte", "Günter", "Ursula", "Klaus", "Monika", "Hans", "Renate", "Dieter", "Karin",
	"Manfred", "Gisela", "Lukas", "Lea", "Jonas", "Anna", "Tim", "Lena", "Jan", "Sarah", "Stefan",
	"Sabine", "Andreas", "Petra", "Thomas", "Claudia", "Josef", "Elisabeth", "Günther", "Jörg",
	"Mathias", "Käthe", "René", "Nadine",
}

var givenNamesNL = []string{
	"Jan", "Els", "Luc", "An", "Koen", "Griet", "Bart", "Sofie", "Wim", "Inge", "Joris", "Katrien",
	"Pieter", "Liesbeth", "Geert", "Hilde", "Dirk", "Veerle", "Tom", "Lotte",
}

var givenNamesEN = []string{
	"John", "Sarah", "David", "Emily", "James", "Laura", "Michael", "Kate", "Anna", "Piotr", "Agnieszka",
	"Marco", "Giulia", "Carlos", "Lucía",
}

var familyNamesFR = []string{
	"Dupont", "Lejeune", "Renard", "Lambert", "Mertens", "Dubois", "Leclercq", "Martin", "Simon",
	"Laurent", "Lefèbvre", "Lefebvre", "Dumont", "Henry", "Collignon", "Gilson", "Gérard", "François",
	"Fontaine", "Denis", "Pirotte", "Piron", "Delvaux", "Thiry", "Jacquet", "Noël", "Hubert", "Massart",
	"Marchal", "Bodart", "Collard", "Maréchal", "Lemaire", "Leroy", "Wauters", "Dewez", "Deprez",
	"Delhaye", "Demoulin", "Defrêne", "Hanquet", "Thonon", "Closset", "Dethier", "Gillet", "Hardy",
	"Jadot", "Léonard", "Lhoest", "Mathieu", "Michel", "Moreau", "Nicolas", "Paquet", "Pétré",
	"Poncelet", "Rousseau", "Schmitz", "Servais", "Stassen", "Toussaint", "Van den Bossche", "Wathelet",
	"Wilmotte", "Bastin", "Bertrand", "Baudoux", "Charlier", "Cornet", "Delcourt", "Delforge",
	"Deschamps", "Destrée", "Dorval", "Duchêne", "Evrard", "Fraiture", "Goffin", "Grégoire", "Hallet",
	"Houbion", "Jamar", "Janssen", "Lacroix", "Legrand", "Lenoir", "Libert", "Lonneux", "Marlier",
	"Minet", "Noiret", "Pâquet", "Renson", "Rondeau", "Sépult", "Thirion", "Tilmant", "Vandamme",
	"Vanderheyden", "Wéry", "Zénon", "Benali", "El Amrani", "Öztürk", "Yilmaz", "Russo", "Esposito",
	"Di Rosa", "Lo Bue", "Nkosi", "Mukendi",
}

var familyNamesDE = []string{
	"Schmitz", "Müller", "Kessler", "Hilgers", "Thelen", "Cremer", "Jost", "Heinen", "Lentz", "Kohnen",
	"Mertes", "Reuter", "Schröder", "Weber", "Krings", "Backes", "Jansen", "Pauels", "Förster", "Schür",
	"Kirch", "Dahmen", "Fickers", "Rauw", "Zeimers",
}

var familyNamesNL = []string{
	"Peeters", "Janssens", "Maes", "Claes", "Willems", "Vermeulen", "Goossens", "Wouters", "De Smet",
	"Jacobs", "Van Damme", "De Backer", "Verstraeten", "Hermans", "Vandenberghe",
}

var familyNamesEN = []string{
	"Smith", "O'Brien", "Jones", "Brown", "Kowalski", "Nowak", "Rossi", "García", "Fernández", "Murphy",
}

// Street names. A town gets a deterministic subset; "%s" in a Chaussée or
// Route is filled with a neighbouring town.
var streetsFR = []string{
	"Rue de la Station", "Rue du Moulin", "Rue de l'Église", "Rue de la Gare", "Rue du Centre",
	"Rue Haute", "Rue Basse", "Rue des Écoles", "Rue Saint-Martin", "Rue Saint-Remacle",
	"Rue Albert Ier", "Rue Léopold", "Rue Reine Astrid", "Rue Joseph Wauters", "Rue Émile Vandervelde",
	"Rue des Combattants", "Rue de la Libération", "Rue du Château", "Rue de la Fontaine", "Rue du Pont",
	"Rue des Prés", "Rue des Champs", "Rue de la Chapelle", "Rue du Tilleul", "Rue des Alouettes",
	"Rue de Bruxelles", "Rue de Namur", "Rue de Liège", "Rue de la Croix", "Rue du Try",
	"Rue des Trixhes", "Rue du Thier", "Rue de la Sablière", "Rue du Bois", "Rue des Carrières",
	"Rue de la Houillère", "Rue du Charbonnage", "Rue des Fusillés", "Rue Pierreuse", "Rue Vinâve",
	"Rue de la Forge", "Rue du Tige", "Rue Grande", "Rue Neuve", "Rue Sainte-Walburge",
	"Rue des Vergers", "Rue des Peupliers", "Rue du Marché", "Rue de Fléron", "Rue de Mons",
	"Avenue des Tilleuls", "Avenue des Acacias", "Avenue Reine Elisabeth", "Avenue de la Gare",
	"Avenue des Sorbiers", "Avenue du Parc", "Avenue des Hêtres", "Avenue Roi Baudouin",
	"Boulevard du Nord", "Boulevard de la Sauvenière", "Boulevard Tirou", "Boulevard Kennedy",
	"Place communale", "Place du Marché", "Place de l'Église", "Place Saint-Lambert", "Place de la Gare",
	"Chemin des Meuniers", "Chemin du Bois", "Chemin de la Ferme", "Chemin des Dames",
	"Clos des Érables", "Clos du Verger", "Allée des Bouleaux", "Allée des Charmes", "Impasse du Moulin",
	"Quai de la Batte", "Quai de Meuse", "Sentier des Écoliers", "Drève des Chênes", "Cour de la Ferme",
	"Chaussée de %s", "Chaussée de %s", "Route de %s", "Rue de %s", "Chaussée de Marche",
	"Chaussée de Louvain", "Chaussée de Charleroi", "Chaussée de Tongres", "Chaussée de Wavre",
}

var streetsDE = []string{
	"Hauptstraße", "Kirchstraße", "Bahnhofstraße", "Aachener Straße", "Herbesthaler Straße",
	"Klosterstraße", "Schulstraße", "Neustraße", "Bergstraße", "Feldstraße", "Lindenallee",
	"Am Markt", "Rathausplatz", "Mühlenweg", "Waldstraße", "Gospertstraße", "Malmedyer Straße",
	"Vennstraße", "Talstraße", "Judenstraße", "Wiesenweg", "Rotenbergplatz",
}

// Suppliers are real commercial suppliers active in Wallonia; market shares
// are rough and only make the mix plausible.
var suppliers = []struct {
	id, name string
	share    float64
}{
	{"engie", "Engie", 0.38},
	{"luminus", "Luminus", 0.20},
	{"totalenergies", "TotalEnergies", 0.12},
	{"eneco", "Eneco", 0.09},
	{"mega", "Mega", 0.08},
	{"octaplus", "Octa+", 0.06},
	{"bolt", "Bolt", 0.04},
	{"essent", "Essent", 0.03},
}

// cpasTowns are the towns whose CPAS holds mandates in the demo; the key is
// the town as written in places.tsv.
var cpasTowns = []string{
	"Namur", "Liège", "Charleroi", "Mons", "La Louvière", "Tournai", "Verviers", "Seraing",
	"Mouscron", "Arlon", "Wavre", "Nivelles", "Huy", "Dinant", "Bastogne", "Marche-en-Famenne",
	"Herstal", "Ath", "Soignies", "Eupen", "Andenne", "Châtelet", "Binche", "Sambreville",
}

var businessKinds = []string{
	"Boulangerie %s", "Garage %s", "Ferme %s", "Menuiserie %s", "Boucherie %s", "Imprimerie %s",
	"Brasserie %s", "%s & Fils", "Transports %s", "Carrières %s", "Laiterie %s", "Hôtel %s",
}

var businessForms = []string{"SRL", "SA", "SC", "SRL", "SRL"}

var mandataryTitles = []string{
	"Maître %s, administrateur de biens", "%s (fille)", "%s (fils)", "%s (conjoint)",
	"Médiateur de dettes %s", "%s (tuteur)",
}

var worksDescriptions = []struct {
	energy string // "" both
	text   string
}{
	{"gas", "Remplacement de la conduite de gaz dans la rue ; circulation alternée."},
	{"gas", "Renouvellement des raccordements gaz ; interruption de quelques heures annoncée aux riverains."},
	{"electricity", "Renouvellement du réseau basse tension ; coupures courtes possibles en journée."},
	{"electricity", "Pose d'un nouveau câble moyenne tension ; trottoir fermé par tronçons."},
	{"electricity", "Remplacement d'une cabine électrique ; coupure planifiée de 8 h à 12 h."},
	{"", "Travaux de voirie coordonnés avec la commune ; accès riverains maintenu."},
}

var outageDescriptions = []struct {
	energy string
	text   string
}{
	{"electricity", "Panne électrique en cours ; une équipe est sur place."},
	{"electricity", "Coupure de courant suite à un câble endommagé ; rétablissement en cours."},
	{"gas", "Fuite de gaz signalée ; alimentation interrompue par sécurité, une équipe est sur place."},
}
