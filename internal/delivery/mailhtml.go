package delivery

import (
	"html/template"
	"strings"

	"cartable/internal/i18n"
	"cartable/internal/mail"
)

// The HTML part of the e-mails: one self-contained document, styles
// inline (mail clients drop <style> and external sheets), no image, no
// request to any host, no tracking; the language declared, a real heading
// and list, colours at 7:1 contrast or more on white, each notice's text
// the link to it (a link that says where it goes).
var mailPage = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body style="margin:0;padding:0;background-color:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:600px;margin:0 auto;padding:16px">
<h1 style="font-size:22px;line-height:1.3;margin:0 0 16px;color:#1a1a1a">{{.Heading}}</h1>
{{- if .Intro}}
<p style="margin:0 0 12px">{{.Intro}}</p>
{{- end}}
{{- if .List}}
<ul style="margin:0 0 16px;padding-left:24px">
{{- range .Items}}
<li style="margin:0 0 12px">{{if .Read}}<span style="color:#4d4d4d">{{.ReadMark}}</span> {{end}}<a href="{{.URL}}" style="color:#0b4f9c;text-decoration:underline">{{.Text}}</a></li>
{{- end}}
</ul>
{{- else}}
{{- range .Items}}
<p style="margin:0 0 16px"><a href="{{.URL}}" style="color:#0b4f9c;text-decoration:underline">{{.Text}}</a></p>
{{- end}}
{{- end}}
{{- if .More}}
<p style="margin:0 0 16px"><a href="{{.MoreURL}}" style="color:#0b4f9c;text-decoration:underline">{{.More}}</a></p>
{{- end}}
<hr style="border:0;border-top:1px solid #767676;margin:24px 0 12px">
<p style="margin:0 0 8px;font-size:14px;color:#4d4d4d">{{.Auto}}</p>
<ul style="margin:0;padding-left:24px;font-size:14px;color:#4d4d4d">
<li style="margin:0 0 8px"><a href="{{.SettingsURL}}" style="color:#0b4f9c;text-decoration:underline">{{.SettingsText}}</a></li>
{{- if .StopURL}}
<li style="margin:0 0 8px"><a href="{{.StopURL}}" style="color:#0b4f9c;text-decoration:underline">{{.StopText}}</a></li>
{{- end}}
</ul>
</div>
</body>
</html>
`))

// mailItem is one notice in a message.
type mailItem struct {
	Text, URL, ReadMark string
	Read                bool
}

// mailView is what one message says, written twice: text and HTML.
type mailView struct {
	Lang, Title, Heading, Intro string
	List                        bool // a digest's list; a single notice otherwise
	Items                       []mailItem
	More, MoreURL               string
	Auto                        string
	SettingsURL, SettingsText   string
	StopURL, StopText           string
	StopLine                    string // the plain text's sentence with the link
}

// message writes the view as an e-mail to to: the plain text as before,
// the HTML alternative, and the unsubscribe headers when the link is
// https (RFC 8058 asks for it; a test instance over http keeps the link
// in the footer only).
func (v *mailView) message(to string) (mail.Message, error) {
	var t strings.Builder
	if v.Intro != "" {
		t.WriteString(v.Intro + "\n\n")
	}
	for i, it := range v.Items {
		if i > 0 {
			t.WriteString("\n\n")
		}
		switch {
		case v.List && it.Read:
			t.WriteString("- " + it.ReadMark + " " + it.Text + "\n  " + it.URL)
		case v.List:
			t.WriteString("- " + it.Text + "\n  " + it.URL)
		default:
			t.WriteString(it.Text + "\n\n" + it.URL)
		}
	}
	if v.More != "" {
		t.WriteString("\n\n" + v.More + "\n" + v.MoreURL)
	}
	t.WriteString("\n\n-- \n" + i18n.T(v.Lang, "delivery.mail.footer", v.SettingsURL))
	if v.StopURL != "" {
		t.WriteString("\n" + v.StopLine)
	}
	t.WriteString("\n")
	var h strings.Builder
	if err := mailPage.Execute(&h, v); err != nil {
		return mail.Message{}, err
	}
	m := mail.Message{To: to, Subject: v.Title, Body: t.String(), HTML: h.String()}
	if strings.HasPrefix(v.StopURL, "https://") {
		m.Headers = map[string]string{
			"List-Unsubscribe":      "<" + v.StopURL + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}
	}
	return m, nil
}
