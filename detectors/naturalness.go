package detectors

// wordLike reports a value that reads as words rather than as something a
// machine generated: more than half of its characters are in letter runs
// of three or more (split at case changes, digits and symbols) whose
// letters follow each other the way they do in words and identifiers, on
// average more than half a bit per letter likelier than at random
// (bigrams.go). "expected-token-1", "123.short", "accessTokenV2" and
// "connectionString2" read as words; random values rarely do: of random
// alphanumeric values, 0.2% of those of 12 characters and none of 24
// (detectors/naturalness_test.go).
//
// It is the small, explainable cousin of scoring a value by how few
// tokens a language model's tokenizer needs for it (Betterleaks' "token
// efficiency"): both ask whether the value is made of familiar pieces.
func wordLike(s string) bool {
	natural := 0
	runStart := -1
	flush := func(end int) {
		if runStart >= 0 && end-runStart >= 3 && runBits(s[runStart:end]) > 8*(end-runStart+1) {
			natural += end - runStart
		}
		runStart = -1
	}
	isUpper := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	isLower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isUpper(c) && !isLower(c) {
			flush(i)
			continue
		}
		// A capital starts a word unless it continues a run of capitals
		// (HTTPServer: HTTP, Server).
		if runStart >= 0 && isUpper(c) && (isLower(s[i-1]) || i+1 < len(s) && isLower(s[i+1]) && isUpper(s[i-1])) {
			flush(i)
		}
		if runStart < 0 {
			runStart = i
		}
	}
	flush(len(s))
	return natural*2 > len(s)
}

// runBits sums the bigram scores of a run of letters, from the start of a
// word through its letters to its end, in sixteenths of a bit.
func runBits(run string) int {
	total, prev := 0, 0
	for i := 0; i < len(run); i++ {
		c := int(lower(run[i])-'a') + 1
		total += int(bigramBits[prev][c])
		prev = c
	}
	return total + int(bigramBits[prev][27])
}
