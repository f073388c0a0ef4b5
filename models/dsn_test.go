package models

import (
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

func TestMySQLDSN(t *testing.T) {
	for _, tc := range []struct {
		name, in, charset string
	}{
		{"bare", "root@tcp(127.0.0.1:3306)/tongxing", "utf8mb4"},
		{"parseTime off", "u:p@tcp(db:3306)/idp?parseTime=false&loc=Local", "utf8mb4"},
		{"own charset", "u:p@tcp(db:3306)/idp?charset=utf8mb4,utf8&timeout=5s", "utf8mb4,utf8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := mysqlDSN(tc.in)
			if err != nil {
				t.Fatalf("mysqlDSN(%q): %v", tc.in, err)
			}
			c, err := mysql.ParseDSN(out)
			if err != nil {
				t.Fatalf("result %q does not parse: %v", out, err)
			}
			if !c.ParseTime || c.Loc != time.UTC || c.Params["charset"] != tc.charset || !c.InterpolateParams {
				t.Fatalf("%q: parseTime %v, loc %v, charset %q; want true, UTC, %q",
					out, c.ParseTime, c.Loc, c.Params["charset"], tc.charset)
			}
			in, _ := mysql.ParseDSN(tc.in)
			if c.User != in.User || c.Passwd != in.Passwd || c.Addr != in.Addr || c.DBName != in.DBName || c.Timeout != in.Timeout {
				t.Fatalf("%q lost part of %q", out, tc.in)
			}
		})
	}
	if _, err := mysqlDSN("tcp(no-slash"); err == nil {
		t.Fatal("mysqlDSN accepted a malformed DSN")
	}
}

func TestWindow(t *testing.T) {
	for _, tc := range []struct {
		in                    Page
		wantOffset, wantLimit int
	}{
		{Page{}, 0, 100},
		{Page{Offset: 5, Limit: 10}, 5, 10},
		{Page{Offset: -1, Limit: -1}, 0, 100},
		{Page{Limit: 1000}, 0, 1000},
		{Page{Limit: 1001}, 0, 1000},
	} {
		if o, l := window(tc.in); o != tc.wantOffset || l != tc.wantLimit {
			t.Errorf("window(%+v) = %d, %d; want %d, %d", tc.in, o, l, tc.wantOffset, tc.wantLimit)
		}
	}
}
