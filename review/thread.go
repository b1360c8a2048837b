package review

// Bounds on the thread a question sends to the model: the newest
// comments, each cut, so that a long thread cannot blow the budget.
const (
	MaxThreadComments = 20
	MaxThreadChars    = 2000
)

// TrimThread returns the newest MaxThreadComments comments of thread
// (oldest first, as it is), each text cut to MaxThreadChars characters
// and marked " [cut]". Every host's adapter bounds a Message's Thread
// with it.
func TrimThread(thread []ThreadComment) []ThreadComment {
	if len(thread) > MaxThreadComments {
		thread = thread[len(thread)-MaxThreadComments:]
	}
	out := make([]ThreadComment, 0, len(thread))
	for _, c := range thread {
		if r := []rune(c.Text); len(r) > MaxThreadChars {
			c.Text = string(r[:MaxThreadChars]) + " [cut]"
		}
		out = append(out, c)
	}
	return out
}
