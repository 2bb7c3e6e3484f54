#use "topfind";;
#require "base";;
#require "zarith";;
Base.List.length [1; 2];;
