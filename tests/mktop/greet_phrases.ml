Greet.hello "mktop";;
!Greet.count;;
List.map Greet.hello ["a"; "b"];;
