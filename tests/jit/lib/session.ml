#load "greet.EXT";;
Greet.hello "a";;
#load "usegreet.EXT";;
Usegreet.twice "b";;
Usegreet.check (-1);;
!Greet.count;;
