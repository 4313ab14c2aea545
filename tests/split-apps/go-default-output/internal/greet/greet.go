package greet

// Message is the body the server answers with.
func Message(name string) string {
	return "hello from " + name
}
