module example.com/godefault

go 1.23
