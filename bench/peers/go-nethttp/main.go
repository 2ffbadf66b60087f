// The seven benchmark endpoints on Go's net/http, written the way its documentation shows:
// http.ServeMux (Go 1.19: path prefixes, the method checked in the handler), encoding/json, database/sql with lib/pq and
// one prepared statement over a pool of 16 connections, html/template for the page. Built
// offline in GOPATH mode against Debian's packages by bench/harness.py:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o app .
package main

import (
	"database/sql"
	"encoding/json"
	"html/template"
	"log"
	"math/rand"
	"net/http"
	"os"
	"strconv"

	_ "github.com/lib/pq"
)

type World struct {
	ID           int `json:"id"`
	RandomNumber int `json:"randomNumber"`
}

var (
	worldStmt *sql.Stmt
	page      = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html><head><title>World</title></head><body>
<table><tr><th>ID</th><th>Random Number</th></tr>{{range .}}<tr><td>{{.ID}}</td><td>{{.RandomNumber}}</td></tr>{{end}}</table>
</body></html>`))
)

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func randomWorld() (World, error) {
	var w World
	err := worldStmt.QueryRow(rand.Intn(10000) + 1).Scan(&w.ID, &w.RandomNumber)
	return w, err
}

func worlds(n int) ([]World, error) {
	rows := make([]World, n)
	for i := range rows {
		w, err := randomWorld()
		if err != nil {
			return nil, err
		}
		rows[i] = w
	}
	return rows, nil
}

func main() {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:54329/ntnt?sslmode=disable"
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if worldStmt, err = db.Prepare("SELECT id, randomnumber FROM world WHERE id = $1"); err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/plaintext", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("Hello, World!"))
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			var body any
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				http.Error(w, "invalid JSON", http.StatusBadRequest)
				return
			}
			writeJSON(w, body)
			return
		}
		writeJSON(w, map[string]string{"message": "Hello, World!"})
	})
	mux.HandleFunc("/users/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{"id": r.URL.Path[len("/users/"):]})
	})
	mux.HandleFunc("/db", func(w http.ResponseWriter, r *http.Request) {
		world, err := randomWorld()
		if err != nil {
			http.Error(w, "database error", http.StatusInternalServerError)
			return
		}
		writeJSON(w, world)
	})
	mux.HandleFunc("/queries", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("count"))
		if err != nil || n < 1 {
			n = 1
		} else if n > 500 {
			n = 500
		}
		rows, err := worlds(n)
		if err != nil {
			http.Error(w, "database error", http.StatusInternalServerError)
			return
		}
		writeJSON(w, rows)
	})
	mux.HandleFunc("/template", func(w http.ResponseWriter, r *http.Request) {
		rows, err := worlds(10)
		if err != nil {
			http.Error(w, "database error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page.Execute(w, rows)
	})
	server := &http.Server{Addr: ":" + os.Getenv("PORT"), Handler: serverHeader(mux)}
	log.Fatal(server.ListenAndServe())
}

// serverHeader adds the Server header the benchmark requires of every response.
func serverHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "go")
		next.ServeHTTP(w, r)
	})
}
