//! What the `busybox` image can run: busybox's applets (the image's `/bin` holds one link per applet
//! and nothing else), so a name that is not one is `not found` there, at the top of an exec (runc's
//! `executable file not found in $PATH`) or inside its shell (`sh: x: not found`, exit 127). Other
//! images' contents are not listed, so an unknown name there is still simulated as succeeding
//! (README, Simplifications).

/// `busybox --list` of the `busybox` image (1.36, the Docker Hub build), sorted, one word each.
/// Generous on purpose: a name too many leaves a typo unnoticed, a name too few would refuse a real
/// program.
const BUSYBOX: &str = "\
    [ [[ acpid add-shell addgroup adduser adjtimex ar arch arp arping ascii ash awk base32 base64 basename bc \
    beep blkdiscard blkid blockdev bootchartd brctl bunzip2 bzcat bzip2 cal cat chat chattr chgrp chmod chown \
    chpasswd chpst chroot chrt chvt cksum clear cmp comm conspy cp cpio crc32 crond crontab cryptpw cttyhack cut \
    date dc dd deallocvt delgroup deluser depmod devmem df dhcprelay diff dirname dmesg dnsd dnsdomainname \
    dos2unix dpkg dpkg-deb du dumpkmap dumpleases echo ed egrep eject env envdir envuidgid ether-wake expand expr \
    factor fakeidentd fallocate false fatattr fbset fbsplash fdflush fdformat fdisk fgconsole fgrep find findfs \
    flock fold free freeramdisk fsck fsck.minix fsfreeze fstrim fsync ftpd ftpget ftpput fuser getfattr getopt \
    getty grep groups gunzip gzip halt hd hdparm head hexdump hexedit hostid hostname httpd hush hwclock \
    i2cdetect i2cdump i2cget i2cset i2ctransfer id ifconfig ifdown ifenslave ifplugd ifup inetd init insmod \
    install ionice iostat ip ipaddr ipcalc ipcrm ipcs iplink ipneigh iproute iprule iptunnel kbd_mode kill \
    killall killall5 klogd last less link linux32 linux64 linuxrc ln loadfont loadkmap logger login logname \
    logread losetup lpd lpq lpr ls lsattr lsmod lsof lspci lsscsi lsusb lzcat lzma lzop makedevs makemime man \
    md5sum mdev mesg microcom mim mkdir mkdosfs mke2fs mkfifo mkfs.ext2 mkfs.minix mkfs.vfat mknod mkpasswd \
    mkswap mktemp modinfo modprobe more mount mountpoint mpstat mt mv nameif nanddump nandwrite nbd-client nc \
    netstat nice nl nmeter nohup nologin nproc nsenter nslookup ntpd nuke od openvt partprobe passwd paste patch \
    pgrep pidof ping ping6 pipe_progress pivot_root pkill pmap popmaildir poweroff powertop printenv printf ps \
    pscan pstree pwd pwdx raidautorun rdate rdev readahead readlink readprofile realpath reboot reformime \
    remove-shell renice reset resize resume rev rm rmdir rmmod route rpm rpm2cpio rtcwake run-init run-parts \
    runlevel runsv runsvdir rx script scriptreplay sed seedrng sendmail seq setarch setconsole setfattr setfont \
    setkeycodes setlogcons setpriv setserial setsid setuidgid sh sha1sum sha256sum sha3sum sha512sum showkey \
    shred shuf slattach sleep smemcap softlimit sort split ssl_client start-stop-daemon stat strings stty su \
    sulogin sum sv svc svlogd svok swapoff swapon switch_root sync sysctl syslogd tac tail tar taskset tc tcpsvd \
    tee telnet telnetd test tftp tftpd time timeout top touch tr traceroute traceroute6 tree true truncate ts \
    tsort tty ttysize tunctl ubiattach ubidetach ubimkvol ubirename ubirmvol ubirsvol ubiupdatevol udhcpc udhcpc6 \
    udhcpd udpsvd uevent umount uname unexpand uniq unix2dos unlink unlzma unshare unxz unzip uptime users usleep \
    uudecode uuencode vconfig vi vlock volname w wall watch watchdog wc wget which who whoami whois xargs xxd xz \
    xzcat yes zcat zcip";

/// busybox ash's builtins: run by the shell itself, never looked up in `/bin`.
const ASH_BUILTINS: &[&str] = &[
    ".", ":", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval", "exec", "exit", "export",
    "false", "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "printf", "pwd", "read",
    "readonly", "return", "set", "shift", "source", "test", "times", "trap", "true", "type", "ulimit", "umask",
    "unalias", "unset", "wait",
];

/// Whether `image` (its short name) is one whose programs are all listed here.
pub fn lists_programs(image: &str) -> bool {
    image == "busybox"
}

/// Whether the `busybox` image lacks `program` (a bare name; a path is looked up in the files).
pub fn busybox_lacks(image: &str, program: &str) -> bool {
    lists_programs(image) && !program.contains('/') && !BUSYBOX.split_whitespace().any(|a| a == program)
}

/// Whether the `busybox` image's shell finds no `program` to run: neither a builtin nor an applet.
pub fn busybox_shell_lacks(image: &str, program: &str) -> bool {
    busybox_lacks(image, program) && !ASH_BUILTINS.contains(&program)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_without_repeats() {
        let names: Vec<&str> = BUSYBOX.split_whitespace().collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted and without repeats");
        assert_eq!(names.len(), 405, "busybox 1.36's list, as written");
    }

    #[test]
    fn busybox_has_its_applets_and_nothing_else() {
        for name in ["sh", "wget", "nslookup", "awk", "vi", "[", "sha256sum", "nc"] {
            assert!(!busybox_lacks("busybox", name), "{name}");
        }
        for name in ["nosuchcommand", "curl", "bash", "python3", "dig", "nslookp"] {
            assert!(busybox_lacks("busybox", name), "{name}");
        }
        assert!(!busybox_lacks("busybox", "/tmp/script.sh"), "a path is for the files to answer");
        assert!(!busybox_lacks("nginx", "nosuchcommand"), "other images' programs are not listed");
        assert!(busybox_lacks("busybox", "cd"), "a builtin is no executable for runc");
        assert!(!busybox_shell_lacks("busybox", "cd"), "but the shell runs it");
        assert!(busybox_shell_lacks("busybox", "declare"), "bash's builtins are not ash's");
    }
}
