#use "topfind";;
#require "zarith";;
Z.to_string (Z.pow (Z.of_int 3) 50);;
let f = Z.of_string "123456789012345678901234567890";;
Z.to_string (Z.mul f f);;
Q.to_string (Q.make (Z.of_int 6) (Z.of_int 8));;
Z.probab_prime (Z.of_string "170141183460469231731687303715884105727") 25;;
