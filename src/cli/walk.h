/* -r/--recursive: the FILEs that are directories, replaced by the files
 * under them. */
#ifndef HF_WALK_H
#define HF_WALK_H

/* Sets *out to files with each directory replaced by the regular files
 * under it, at any depth, sorted by name (bytes, as LC_ALL=C sort) within
 * each directory, so that the order, and so the output, does not depend
 * on the file system.  As grep -r: symbolic links under a directory are
 * not followed (those given as FILEs are), and other kinds of files
 * (FIFOs, devices, sockets) are left out.  A directory that cannot be read
 * is reported ("hanfold: DIR: cannot read: ...") and counted in *errors;
 * the rest is walked.  Returns 0, or -ENOMEM (said).  *out is freed with
 * hf_walk_free(*out, *nout); it is files itself when no FILE is a
 * directory. */
int hf_walk(char **files, int nfiles, char ***out, int *nout, unsigned *errors);
void hf_walk_free(char **files, char **out, int nout);

#endif
