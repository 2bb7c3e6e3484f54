print_endline "before exit";;
exit 3;;
print_endline "not reached";;
