// Package smtptest runs a tiny real SMTP server on the loopback for tests:
// it speaks enough of RFC 5321 (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
// for net/smtp and hands every message received to the test.
package smtptest

import (
	"bufio"
	"net"
	"net/textproto"
	"strings"
	"sync"
)

// Message is one message as received.
type Message struct {
	From string
	To   []string
	Data string // headers and body, CRLF line ends, dot-unstuffed
}

// Server is a listening SMTP server.
type Server struct {
	Addr     string // host:port
	Messages chan Message
	ln       net.Listener
	wg       sync.WaitGroup
}

// Start listens on a free loopback port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), Messages: make(chan Message, 32), ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	return s, nil
}

// Close stops the server and waits for its connections.
func (s *Server) Close() {
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 smtptest ready")
	var m Message
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			tp.PrintfLine("250-smtptest")
			tp.PrintfLine("250 8BITMIME")
		case "MAIL":
			m = Message{From: addr(arg)}
			tp.PrintfLine("250 ok")
		case "RCPT":
			m.To = append(m.To, addr(arg))
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			r := bufio.NewReader(tp.DotReader())
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				b.WriteString(l)
				if err != nil {
					break
				}
			}
			m.Data = b.String()
			s.Messages <- m
			tp.PrintfLine("250 queued")
		case "RSET":
			m = Message{}
			tp.PrintfLine("250 ok")
		case "NOOP":
			tp.PrintfLine("250 ok")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

func addr(arg string) string {
	if i := strings.IndexByte(arg, '<'); i >= 0 {
		if j := strings.IndexByte(arg[i:], '>'); j >= 0 {
			return arg[i+1 : i+j]
		}
	}
	return arg
}
