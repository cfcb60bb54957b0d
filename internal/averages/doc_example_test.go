package averages

import (
	"strings"
	"testing"
)

// docExample is the worked example of docs/grades.md.
func docExample() []Entry {
	return []Entry{
		en(ev("Contrôle 1", 16, 2), val(14.5)),
		en(ev("DM 1", 10, 1, own), val(7)),
		en(ev("Interrogation", 20, 1), code(AbsentZero)),
		en(ev("Oral", 20, 1), code(Absent)),
		on20("Exercice formatif", 4, formative),
		on20("Devoir facultatif", 16, optional),
		on20("Calcul mental", 15, bonus),
	}
}

// The worked example of docs/grades.md, line by line: a change here is a
// change there.
func TestDocExample(t *testing.T) {
	r := SubjectAverage(Subject{ID: "maths", Label: "Mathématiques"}, docExample(), Settings{Rounding: Rounding{Step: 0.1, Mode: Up}})
	want := `Contrôle 1 : 14,5/16 ramenée sur 20 : 14,5 × 20 ÷ 16 = 18,125 ; coefficient 2 : 18,125 × 2 = 36,25 points
DM 1 : 7/10 gardée sur son barème : 7 × 20 ÷ 10 = 14 sur 20 ; poids 1 × 10 ÷ 20 = 0,5 ; 14 × 0,5 = 7 points
Interrogation : « abs0 » (absent, compte 0) compte comme la note 0
Interrogation : 0/20, coefficient 1 : 0 × 1 = 0 points
Oral : « abs » (absent), ne compte pas
Exercice formatif : évaluation formative, ne compte pas
Calcul mental : note bonus 15/20, soit 15 sur 20 ; seuls les points au-dessus de 10 comptent : max(0 ; 15 − 10) = 5 ; × poids 1 = 5 points ajoutés, sans rien ajouter aux poids
Devoir facultatif : note facultative 16 sur 20, au-dessus de la moyenne jusqu'ici (13,7857) : retenue
Devoir facultatif : 16/20, coefficient 1 : 16 × 1 = 16 points
Total des points : 36,25 + 7 + 0 + 16 = 59,25
Points de bonus : 5 = 5
Points avec les bonus : 59,25 + 5 = 64,25
Total des poids : 2 + 0,5 + 1 + 1 = 4,5
Moyenne : 64,25 ÷ 4,5 = 14,2778
Arrondi au 0,1 supérieur : 14,2778 → 14,3`
	if got := strings.Join(r.Explain("fr"), "\n"); got != want {
		t.Errorf("got\n%s", got)
	}
	lines := []SubjectLine{
		{Subject: Ref{ID: "maths", Label: "Mathématiques"}, Coefficient: 3, Average: r},
		{Subject: Ref{ID: "fr", Label: "Français"}, Coefficient: 2, Average: graded(11.5)},
		{Subject: Ref{ID: "mu", Label: "Musique"}, Coefficient: 1, Average: Result{}},
	}
	o := OverallAverage(lines, Settings{Rounding: Rounding{Step: 0.1, Mode: Up}})
	want = `Mathématiques : 14,2778 × coefficient 3 = 42,8333
Français : 11,5 × coefficient 2 = 23
Musique : non noté, ne compte pas
Total des points : 42,8333 + 23 = 65,8333
Total des poids : 3 + 2 = 5
Moyenne : 65,8333 ÷ 5 = 13,1667
Arrondi au 0,1 supérieur : 13,1667 → 13,2`
	if got := strings.Join(o.Explain("fr"), "\n"); got != want {
		t.Errorf("got\n%s", got)
	}
	m := OverallAverage(lines, Settings{Overall: OverallMean, Rounding: Rounding{Step: 0.1, Mode: Up}})
	if m.Format("fr") != "12,9" { // (14,2778 + 11,5) ÷ 2 = 12,8889
		t.Errorf("unweighted %s\n%s", m.Format("fr"), strings.Join(m.Explain("fr"), "\n"))
	}
}
