// `sqlx::migrate!` embeds store/migrations when the crate is compiled; stable Rust cannot tell
// cargo that a new migration file changes the crate, so this does (as sqlx's docs advise).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
