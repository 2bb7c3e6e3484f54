#use "topfind";;
#require "base";;
#require "zarith";;
"-- phrases start here --";;
