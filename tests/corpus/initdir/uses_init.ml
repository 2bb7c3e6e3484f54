from_ocamlinit;;
