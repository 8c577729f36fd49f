package cmd
import ("testing";"context")
func BenchmarkStdinEmpty(b *testing.B){ for b.Loop(){ io,_,_:=TestStreams(""); Run(context.Background(), []string{"stdin","-q"}, io) } }
