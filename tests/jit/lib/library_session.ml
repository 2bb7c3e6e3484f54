#load "mylib.EXT";;
Usegreet.twice "x";;
Usegreet.check 3;;
