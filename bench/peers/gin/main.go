// The seven benchmark endpoints on Gin, written the way its documentation shows: gin.New()
// (no logger: the benchmark measures serving), route groups of handlers, c.JSON, c.String,
// c.ShouldBindJSON, HTML templates loaded with LoadHTMLGlob-style parsing, and database/sql
// with lib/pq, one prepared statement, a pool of 16. Built offline in GOPATH mode against
// Debian's packages by bench/harness.py:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o app .
package main

import (
	"database/sql"
	"html/template"
	"log"
	"math/rand"
	"net/http"
	"os"
	"strconv"

	"github.com/gin-gonic/gin"
	_ "github.com/lib/pq"
)

type World struct {
	ID           int `json:"id"`
	RandomNumber int `json:"randomNumber"`
}

var worldStmt *sql.Stmt

const page = `<!DOCTYPE html>
<html><head><title>World</title></head><body>
<table><tr><th>ID</th><th>Random Number</th></tr>{{range .}}<tr><td>{{.ID}}</td><td>{{.RandomNumber}}</td></tr>{{end}}</table>
</body></html>`

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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.SetHTMLTemplate(template.Must(template.New("page.html").Parse(page)))
	r.Use(func(c *gin.Context) { c.Header("Server", "gin") })
	r.GET("/plaintext", func(c *gin.Context) { c.String(http.StatusOK, "Hello, World!") })
	r.GET("/json", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"message": "Hello, World!"}) })
	r.GET("/users/:id", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"id": c.Param("id")}) })
	r.POST("/json", func(c *gin.Context) {
		var body map[string]any
		if err := c.ShouldBindJSON(&body); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": "invalid JSON"})
			return
		}
		c.JSON(http.StatusOK, body)
	})
	r.GET("/db", func(c *gin.Context) {
		world, err := randomWorld()
		if err != nil {
			c.String(http.StatusInternalServerError, "database error")
			return
		}
		c.JSON(http.StatusOK, world)
	})
	r.GET("/queries", func(c *gin.Context) {
		n, err := strconv.Atoi(c.Query("count"))
		if err != nil || n < 1 {
			n = 1
		} else if n > 500 {
			n = 500
		}
		rows, err := worlds(n)
		if err != nil {
			c.String(http.StatusInternalServerError, "database error")
			return
		}
		c.JSON(http.StatusOK, rows)
	})
	r.GET("/template", func(c *gin.Context) {
		rows, err := worlds(10)
		if err != nil {
			c.String(http.StatusInternalServerError, "database error")
			return
		}
		c.HTML(http.StatusOK, "page.html", rows)
	})
	log.Fatal(r.Run(":" + os.Getenv("PORT")))
}
